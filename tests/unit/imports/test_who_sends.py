"""Who sends a row's act: a unit or a clinic sends what it may still record itself; older
answers and claims are the importing supervisor's late entries (docs/import.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from deploy.imports.acts import Act
from deploy.imports.importing import _sent_as
from services.referrals.requests import AcceptRequest, RecordedAccept
from services.vouchers.requests import RecordedRedemption, RedeemRequest

NOW = datetime.now(UTC)


class Units:
    async def answers_itself(self, unit_id: str) -> bool:
        return unit_id == "own-account"


def _answer(at: datetime) -> Act:
    unit = Act("accept", "referrals", "/units/u/referrals/r/accept", AcceptRequest, {},
               role="receiving_service", at=at)  # fmt: skip
    return Act("accept", "referrals", "/referrals/r/accept", RecordedAccept, {}, by_unit=unit,
               at=at)  # fmt: skip


def _claim(at: datetime) -> Act:
    recorded = Act("redeem", "vouchers", "/redemptions/recorded", RecordedRedemption, {}, at=at)
    return Act("redeem", "vouchers", "/redemptions", RedeemRequest, {}, role="clinic", at=at,
               recorded=recorded)  # fmt: skip


async def _sender_of(act: Act, **ids: Any) -> tuple[str, str]:
    sent = await _sent_as(Units(), act, ids, NOW)  # type: ignore[arg-type]
    return sent.role, sent.path


async def test_a_unit_with_an_account_sends_its_recent_answers_a_supervisor_records_older() -> None:
    recent, old = _answer(NOW - timedelta(days=2)), _answer(NOW - timedelta(days=400))
    assert (await _sender_of(recent, unit_id="own-account"))[0] == "receiving_service"
    assert await _sender_of(old, unit_id="own-account") == ("supervisor", "/referrals/r/accept")
    assert (await _sender_of(recent, unit_id="no-account"))[0] == "supervisor"


async def test_a_clinic_claims_within_its_window_a_supervisor_records_older_claims() -> None:
    assert await _sender_of(_claim(NOW - timedelta(days=30))) == ("clinic", "/redemptions")
    old = _claim(NOW - timedelta(days=400))
    assert await _sender_of(old) == ("supervisor", "/redemptions/recorded")


async def test_who_sends_is_judged_by_the_import_s_clock_not_the_wall_clock() -> None:
    then = datetime(2023, 3, 1, 12, tzinfo=UTC)  # the import's now (its app's clock)
    answer = _answer(then - timedelta(days=2))  # recent then, years old by the wall clock
    sent = await _sent_as(Units(), answer, {"unit_id": "own-account"}, then)  # type: ignore[arg-type]
    assert sent.role == "receiving_service"
