"""Time-to-answer metrics outside exact access: fixed periods, counts by the disclosure rule.

Issue 20: a viewer could ask any `from`/`to` instant, so two windows a second apart gave a CEM
referral of one region back by subtraction, and the exact counts of 5 or more gave it back
from any two overlapping windows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.referrals.conftest import ManualClock
from tests.integration.referrals.flows import add_unit, refer
from tests.support.services import RunningService

pytestmark = pytest.mark.integration
PATH = "/metrics/time-to-answer"


def month_of(moment: datetime) -> dict[str, str]:
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    end = datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1, tzinfo=UTC)
    return {"from": start.isoformat(), "to": end.isoformat()}


def cells(answer: Any) -> dict[tuple[str, str], dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    return {(c["destination"], c["region"]): c for c in answer.json()["cells"]}


async def test_viewers_and_supervisors_get_fixed_periods_and_rounded_counts(
    referrals: RunningService, clock: ManualClock
) -> None:
    cem = await add_unit(referrals, "CEM Tumbes")
    sis = await add_unit(referrals, "UDR SIS Piura", destination="SIS", region="piura")
    for _ in range(7):
        await refer(referrals, cem)
    for _ in range(2):
        await refer(referrals, sis, region="piura", reason="health_insurance_affiliation",
                    shared={"document_type": "dni", "document_number": "12345678"})  # fmt: skip
    now = clock()
    two_days_ago = (now - timedelta(days=2)).isoformat()
    for who in (referrals.client("viewer"), referrals.client("supervisor", regions=["piura"])):
        for asked in (
            {"from": two_days_ago, "to": now.isoformat()},  # and a second later: subtract
            {"from": two_days_ago, "to": (now + timedelta(seconds=1)).isoformat()},
            {"to": now.isoformat()},
        ):  # fmt: skip
            refused = await who.get(PATH, params=asked)
            assert refused.status_code == 422, refused.text
            assert "fixed periods only" in refused.text
        for asked in ({}, month_of(now)):
            shown = cells(await who.get(PATH, params=asked))
            assert shown[("CEM", "tumbes")]["requested"] == 5  # 7, rounded down to base 5
            assert shown[("CEM", "tumbes")]["waiting"] == 5
            assert shown[("SIS", "piura")] == {
                "destination": "SIS", "region": "piura", "requested": "<5", "suppressed": True,
            }  # fmt: skip
            assert shown[("UPE", "lima_callao")]["requested"] == "<5"  # none: looks like 1-4
            assert len(shown) == 48  # every destination type x region, present or not

    me = referrals.client("me_officer")  # exact figures and any window, as before
    exact = cells(await me.get(PATH, params={"from": two_days_ago}))
    assert exact[("CEM", "tumbes")]["requested"] == 7
    assert exact[("SIS", "piura")]["requested"] == 2
