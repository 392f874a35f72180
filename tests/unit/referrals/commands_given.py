"""What the service-layer tests share: a request body, and a referral requested in a store."""

from __future__ import annotations

from typing import Any

from eventkit.memory_store import MemoryEventStore
from services.referrals import commands
from services.referrals.deadlines import Deadlines
from services.referrals.requests import ReferralRequest
from tests.unit.referrals.fakes import CASE, CASEWORKER, PARTICIPANT, FakePorts
from tests.unit.referrals.givens import T0, UNIT

DEADLINES = Deadlines()


def body(**overrides: Any) -> ReferralRequest:
    """A caseworker's request to the CEM unit sharing a phone and when to call."""
    fields: dict[str, Any] = {
        "case_id": str(CASE),
        "participant_id": str(PARTICIPANT),
        "unit_id": str(UNIT),
        "region": "tumbes",
        "assistance_type": "psychosocial",
        "reason": "gbv_care",
        "urgency": "urgent",
        "shared": {"contact_phone": "+51 987 654 321", "preferred_contact_time": "morning"},
    }
    return ReferralRequest.model_validate({**fields, **overrides})


async def requested(store: MemoryEventStore, ports: FakePorts) -> commands.Requested:
    """A referral requested at T0 (urgent CEM: due 24 hours later)."""
    return await commands.request(store, ports, CASEWORKER, body(), T0, DEADLINES)
