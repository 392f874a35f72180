"""The pseudonymous id a staff member carries in events: one for the same person everywhere."""

from __future__ import annotations

import uuid

from access.principal import Principal

_ACTORS = uuid.UUID("6c1f4a4e-8d1b-4d8e-9a57-3f9a4c2b1e70")
"""The namespace of every service's actor ids (the cases and vouchers services' since their
first events; referrals used another until it was found to split one caseworker in two)."""


def actor_id(principal: Principal) -> uuid.UUID:
    """The pseudonymous id events carry for a staff member: stable across services and time,
    not reversible to a name (a uuid5 of the organisation and subject)."""
    return uuid.uuid5(_ACTORS, f"{principal.organization_id}/{principal.subject}")
