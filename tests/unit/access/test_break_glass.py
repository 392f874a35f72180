"""Opening break-glass: who may, with what reason, for how long, and what gets audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from access.break_glass import (
    GrantRefused,
    open_break_glass,
    reason_problem,
    written_reason,
)
from access.policy import ResourceScope, decide
from access.principal import Principal, Role
from tests.support.peru import Region

NOW = datetime(2022, 6, 1, 12, tzinfo=UTC)
REASON = "survivor transferred from Lima to Piura overnight; shelter needs the case history"
SUPERVISOR = Principal("sup-1", "ngo-pe", Role.SUPERVISOR, frozenset({Region.LIMA_CALLAO}))


def test_the_grant_carries_no_reason_and_the_audit_record_does() -> None:
    opened = open_break_glass(SUPERVISOR, Region.PIURA, REASON, now=NOW)
    assert opened.grant.region is Region.PIURA
    assert opened.grant.expires_at == NOW + timedelta(hours=1)
    record = opened.audit_record
    assert (record.actor_subject, record.action, record.outcome) == (
        "sup-1",
        "break_glass.open",
        "granted",
    )
    assert record.resource_type == "break_glass_grant"
    assert record.resource_id == opened.grant.grant_id
    assert record.purpose is not None
    assert REASON in record.purpose
    assert REASON not in repr(opened.grant)
    assert REASON not in repr(record)  # a stray log line of the record would not leak it
    assert written_reason(record.purpose) == REASON


def test_the_stored_grant_gives_a_principal_access_until_it_expires() -> None:
    opened = open_break_glass(
        SUPERVISOR, Region.PIURA, REASON, now=NOW, duration=timedelta(hours=2)
    )
    principal = SUPERVISOR.with_grant(opened.grant)  # as access.grants loads it from its table
    piura = ResourceScope(region=Region.PIURA)
    during = decide(principal, "case.read_sensitive", piura, now=NOW + timedelta(minutes=90))
    after = decide(principal, "case.read_sensitive", piura, now=NOW + timedelta(hours=2))
    assert during.allowed
    assert during.grant_id == opened.grant.grant_id
    assert not after.allowed
    assert "expired" in after.reason


@pytest.mark.parametrize(
    ("principal", "region", "reason", "duration", "why"),
    [
        (
            Principal("cw", "ngo", Role.CASEWORKER, frozenset({Region.LIMA_CALLAO})),
            Region.PIURA,
            REASON,
            timedelta(hours=1),
            "only a supervisor can break the glass",
        ),
        (
            SUPERVISOR,
            Region.LIMA_CALLAO,
            REASON,
            timedelta(hours=1),
            "region lima_callao is already the supervisor's own",
        ),
        (
            SUPERVISOR,
            Region.PIURA,
            "   urgent   ",
            timedelta(hours=1),
            "a written reason of at least 20 characters is needed",
        ),
        (
            SUPERVISOR,
            Region.PIURA,
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            timedelta(hours=1),
            "the reason must be a sentence of at least 3 different words",
        ),
        (
            SUPERVISOR,
            Region.PIURA,
            REASON,
            timedelta(hours=9),
            "the duration must be positive and at most 8:00:00",
        ),
        (
            SUPERVISOR,
            Region.PIURA,
            REASON,
            timedelta(0),
            "the duration must be positive and at most 8:00:00",
        ),
    ],
    ids=["not-supervisor", "own-region", "short-reason", "repeated-reason", "too-long", "zero"],
)
def test_refusals(
    principal: Principal, region: Region, reason: str, duration: timedelta, why: str
) -> None:
    with pytest.raises(GrantRefused) as refused:
        open_break_glass(principal, region, reason, now=NOW, duration=duration)
    assert refused.value.reason == why


@pytest.mark.parametrize(
    "reason",
    [
        "                          ",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "urgent urgent urgent urgent urgent",
        "a b c d e f g h i j k l m n o p q r s",
        "..........!!!!!!!!!!!!1111111111",
        "ab ab ab ab ab ab ab cd cd cd cd",
    ],
)
def test_a_reason_of_repeated_characters_or_words_is_refused(reason: str) -> None:
    assert reason_problem(reason) is not None


@pytest.mark.parametrize(
    "reason", [REASON, "Cubriendo al equipo de Tumbes: intervención urgente esta noche"]
)
def test_a_sentence_is_a_reason(reason: str) -> None:
    assert reason_problem(reason) is None


def test_the_daily_cap_refuses_with_a_named_rule() -> None:
    open_break_glass(SUPERVISOR, Region.PIURA, REASON, now=NOW, opened_today=2, max_per_day=3)
    with pytest.raises(GrantRefused) as refused:
        open_break_glass(SUPERVISOR, Region.PIURA, REASON, now=NOW, opened_today=3, max_per_day=3)
    assert refused.value.rule == "break_glass_daily_limit"
    assert refused.value.reason == "at most 3 break-glass grants per supervisor in 24 hours"
