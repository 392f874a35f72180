"""The outbox bound refuses commands, and only commands, while the last sample was over it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import ValidationError

from eventkit.outbox_pressure import COMMAND_METHODS, OutboxPressure, backlog_refusal
from eventkit.settings import ServiceSettings


@dataclass
class Sampled:
    """A sampler's verdict, as `backlog_refusal` reads it."""

    over_limit: bool
    admitted: int = 0

    def admit(self) -> None:
        self.admitted += 1


class Counted:
    """A pool whose bounded count answers `rows` (the sampler's only query)."""

    def __init__(self, rows: int) -> None:
        self.rows = rows

    async def fetchval(self, *_: Any, **__: Any) -> int:
        return self.rows


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "post"])
def test_commands_are_refused_with_retry_after_while_over_the_bound(method: str) -> None:
    refusal = backlog_refusal(Sampled(over_limit=True), method)
    assert refusal is not None
    detail, retry_after = refusal
    assert retry_after >= 1
    assert "Idempotency-Key" in detail


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_reads_are_served_while_over_the_bound(method: str) -> None:
    assert method not in COMMAND_METHODS
    assert backlog_refusal(Sampled(over_limit=True), method) is None


def test_nothing_is_refused_under_the_bound_or_without_a_sampler() -> None:
    under = Sampled(over_limit=False)
    assert backlog_refusal(under, "POST") is None
    assert backlog_refusal(under, "GET") is None
    assert under.admitted == 1  # the command was let in and counted; the read was not
    assert backlog_refusal(None, "POST") is None


async def test_commands_admitted_since_the_count_bring_the_bound_closer() -> None:
    pool = Counted(rows=7)
    pressure = OutboxPressure(pool, limit=10)  # type: ignore[arg-type]
    assert backlog_refusal(pressure, "POST") is None  # before any count, nothing is refused
    await pressure.sample()
    assert (pressure.backlog, pressure.admitted) == (7, 0)  # counted: now in the backlog
    admitted = [backlog_refusal(pressure, "POST") is None for _ in range(5)]
    assert admitted == [True, True, True, False, False]  # 7 + 3 admitted reach 10
    pool.rows = 2  # the relay drained the outbox
    await pressure.sample()
    assert (pressure.over_limit, backlog_refusal(pressure, "POST")) == (False, None)


async def test_a_limit_of_zero_never_refuses() -> None:
    pressure = OutboxPressure(Counted(rows=10**6), limit=0)  # type: ignore[arg-type]
    await pressure.sample()
    assert backlog_refusal(pressure, "POST") is None


def test_the_bound_is_a_setting_zero_disables_it_negative_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PANA_OUTBOX_BACKLOG_LIMIT", raising=False)
    assert ServiceSettings().outbox_backlog_limit == 50_000
    monkeypatch.setenv("PANA_OUTBOX_BACKLOG_LIMIT", "0")
    assert ServiceSettings().outbox_backlog_limit == 0
    monkeypatch.setenv("PANA_OUTBOX_BACKLOG_LIMIT", "-1")
    with pytest.raises(ValidationError):
        ServiceSettings()
