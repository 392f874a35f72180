"""Kafka topics, declared in code, created by the broker's admin (never by auto-creation).

One topic per aggregate family, keyed by the aggregate id: every event of one aggregate lands on
one partition, in order. The ``.v1`` suffix versions the topic layout (partitioning, keying),
not the events; events version themselves. Partition counts bound consumer parallelism and only
grow (growing them remaps keys, so do it between replays, not casually).

Replication is a property of the cluster, not of the contract: the code that creates topics
passes the deployment's replication factor (1 on a laptop, 3 on a production cluster).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from contracts.registry import latest_model


@dataclass(frozen=True)
class Topic:
    """A Kafka topic: its name and how many partitions it is created with."""

    name: str
    partitions: int


PARTICIPANTS = Topic("pana.participants.v1", partitions=6)
CASES = Topic("pana.cases.v1", partitions=6)
REFERRALS = Topic("pana.referrals.v1", partitions=6)
VOUCHERS = Topic("pana.vouchers.v1", partitions=6)

DEADLETTER_TOPIC = "pana.deadletter.v1"
DEADLETTER = Topic(DEADLETTER_TOPIC, partitions=3)
"""Where consumers park messages they cannot decode (``InvalidMessage``), value unchanged."""

DEADLETTER_REASON_HEADER = "pana_deadletter_reason"
DEADLETTER_ORIGIN_HEADER = "pana_deadletter_origin"
"""Headers added to a dead letter: the reason, and ``topic/partition/offset`` of the original."""

ALL_TOPICS: tuple[Topic, ...] = (PARTICIPANTS, CASES, REFERRALS, VOUCHERS, DEADLETTER)

TOPIC_BY_AGGREGATE: dict[str, Topic] = {
    "participant": PARTICIPANTS,
    "case": CASES,
    "referral": REFERRALS,
    "voucher": VOUCHERS,
    # Few and small: they share the cases topic (its owner records them), keyed by activity id.
    "group_activity": CASES,
}

SOURCE_BY_AGGREGATE: dict[str, str] = {
    "participant": "/pana/cases",
    "case": "/pana/cases",
    "referral": "/pana/referrals",
    "voucher": "/pana/vouchers",
    "group_activity": "/pana/cases",
}
"""CloudEvents ``source`` of each aggregate family: the service that owns and emits it."""

SOURCE_BY_TOPIC: dict[str, str] = {
    TOPIC_BY_AGGREGATE[aggregate].name: source for aggregate, source in SOURCE_BY_AGGREGATE.items()
}
"""The one CloudEvents ``source`` each event topic may carry: only its owner writes there (the
broker's ACLs), and consumers dead-letter an event claiming another source."""


def topic_for(event_type: str) -> str:
    """Return the topic name an event type is published to; raise ``UnknownEventType``."""
    return TOPIC_BY_AGGREGATE[latest_model(event_type).aggregate].name


def source_for(event_type: str) -> str:
    """Return the CloudEvents ``source`` to use for an event type; raise ``UnknownEventType``."""
    return SOURCE_BY_AGGREGATE[latest_model(event_type).aggregate]


def not_from_owner(
    topic: str, event_type: str, source: str, owners: Mapping[str, str] = SOURCE_BY_TOPIC
) -> str | None:
    """Why an event read from `topic` is not its owner's (None: it is, or `topic` has no owner).

    The event must say it comes from the topic's owner, and its type must be one that owner
    emits: a service allowed to write only its own topic can neither pass its events off as
    another's nor put another service's event types there. The reason never quotes the forged
    value (a header anyone could fill).
    """
    owner = owners.get(topic)
    if owner is None:
        return None
    if source != owner:
        return f"source is not the owner of {topic} ({owner})"
    if source_for(event_type) != owner:
        return f"{event_type} is not an event of {topic}'s owner ({owner})"
    return None
