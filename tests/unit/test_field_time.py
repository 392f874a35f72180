"""The field-time rules every decider applies: future, program start, dependencies, late entries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from access.late_entry import late_entry_note
from access.principal import Principal, Role
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeSettings, happened, late_entry
from tests.support.peru import Region

NOW = datetime(2023, 3, 1, 15, tzinfo=UTC)
RULES = PROGRAM_RULES


def _refused(call: object) -> Refused:
    assert isinstance(call, Refused), call
    return call


def _try(*args: object, **kwargs: object) -> datetime | Refused:
    try:
        return happened(*args, **kwargs)  # type: ignore[arg-type]
    except Refused as refused:
        return refused


def test_without_a_moment_the_act_happened_now() -> None:
    assert happened("delivered", None, NOW, RULES) == NOW


def test_a_moment_in_the_past_is_kept() -> None:
    then = NOW - timedelta(days=200)
    assert happened("delivered", then, NOW, RULES, [("opening", then)]) == then


def test_a_moment_within_the_clock_allowance_is_accepted() -> None:
    ahead = NOW + timedelta(minutes=4)
    assert happened("redeemed", ahead, NOW, RULES) == ahead


def test_a_moment_in_the_future_is_refused_naming_the_act() -> None:
    refused = _refused(_try("redeemed", NOW + timedelta(minutes=6), NOW, RULES))
    assert (refused.rule, refused.kind) == ("redeemed_in_future", RefusalKind.INVALID)


def test_a_moment_before_the_program_start_is_refused() -> None:
    before = datetime(2021, 8, 31, 23, 59, tzinfo=UTC)
    refused = _refused(_try("opened", before, NOW, RULES))
    assert (refused.rule, refused.kind) == ("opened_before_program_start", RefusalKind.INVALID)
    assert happened("opened", before + timedelta(minutes=1), NOW, RULES)


def test_a_moment_before_what_it_depends_on_is_refused_naming_the_dependency() -> None:
    opened = NOW - timedelta(days=3)
    refused = _refused(_try("delivered", opened - timedelta(hours=1), NOW, RULES,
                            [("registration", None), ("opening", opened)]))  # fmt: skip
    assert (refused.rule, refused.kind) == ("delivered_before_opening", RefusalKind.INVALID)
    assert "opening" in refused.message


def test_an_entry_within_the_delay_is_not_late() -> None:
    assert late_entry(NOW - timedelta(days=7), NOW, False, RULES) is None
    assert late_entry(None, NOW, False, RULES) is None


def test_a_late_entry_needs_the_right_to_enter_late_and_is_noted() -> None:
    then = NOW - timedelta(days=7, minutes=1)
    refused = _refused(_late(then, False))
    assert (refused.rule, refused.kind) == ("late_entry_needs_supervisor", RefusalKind.FORBIDDEN)
    assert late_entry(then, NOW, True, RULES) == "late_entry occurred_at=2023-02-22T14:59:00Z"


def _late(then: datetime, allowed: bool) -> str | Refused | None:
    try:
        return late_entry(then, NOW, allowed, RULES)
    except Refused as refused:
        return refused


def _principal(role: Role) -> Principal:
    return Principal("s-1", "org-1", role, frozenset({Region.LIMA_CALLAO}))


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.SUPERVISOR, True), (Role.ADMINISTRATOR, True), (Role.CASEWORKER, False),
     (Role.CLINIC, False), (Role.RECEIVING_SERVICE, False)],
)  # fmt: skip
def test_supervisors_and_administrators_may_enter_late(role: Role, allowed: bool) -> None:
    then = NOW - timedelta(days=30)
    if allowed:
        assert late_entry_note(_principal(role), then, NOW, RULES) is not None
    else:
        with pytest.raises(Refused, match="supervisor records late entries"):
            late_entry_note(_principal(role), then, NOW, RULES)


def test_the_bounds_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANA_FIELD_TIME_PROGRAM_START", "2022-01-01")
    monkeypatch.setenv("PANA_FIELD_TIME_CLOCK_ALLOWANCE_MINUTES", "0")
    monkeypatch.setenv("PANA_FIELD_TIME_LATE_AFTER_DAYS", "3")
    monkeypatch.setenv("PANA_FIELD_TIME_CLAIM_WINDOW_DAYS", "10")
    rules = FieldTimeSettings().rules()
    assert rules.program_start == date(2022, 1, 1)
    assert (rules.clock_allowance, rules.late_after) == (timedelta(0), timedelta(days=3))
    assert rules.claim_window == timedelta(days=10)
    assert _refused(_try("issued", NOW + timedelta(seconds=1), NOW, rules)).rule == (
        "issued_in_future"
    )
    assert _refused(_try("issued", datetime(2021, 12, 31, tzinfo=UTC), NOW, rules)).rule == (
        "issued_before_program_start"
    )
