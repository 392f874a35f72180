"""The outbox bound refuses commands, and only commands, while the last sample was over it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydantic import ValidationError

from eventkit.outbox_pressure import COMMAND_METHODS, backlog_refusal
from eventkit.settings import ServiceSettings


@dataclass
class Sampled:
    """A sampler's verdict, as `backlog_refusal` reads it."""

    over_limit: bool


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
    assert backlog_refusal(Sampled(over_limit=False), "POST") is None
    assert backlog_refusal(None, "POST") is None


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
