"""Identifiers of events and aggregates: UUIDv7 (RFC 9562), ordered by creation time.

A random UUIDv4 lands anywhere in a B-tree, so every insert into the event store (`events`,
`streams`), `processed_events` and the read model's keys touches a page of its own; once an
index outgrows the cache that is a miss and a full-page write per row. A UUIDv7 starts with its
creation time in milliseconds: new keys go to the right edge of each index, the few pages that
are hot anyway (the bench's events are made with it too, see `bench/events.py`).

The first 48 bits tell when the id was made, to the millisecond. That is no more than the
event's own `occurred_at`; ids still carry no name, document or place.
"""

from __future__ import annotations

import uuid

from uuid_utils.compat import uuid7


def new_id() -> uuid.UUID:
    """A new id, a standard `uuid.UUID` (version 7).

    Ids made by one process strictly increase, also within a millisecond (uuid-utils keeps them
    monotonic); the other bits are random. Ids are names, not secrets: who may read what is
    decided by the access policy.
    """
    return uuid7()
