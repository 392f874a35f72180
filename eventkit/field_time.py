"""When an act happened, as the field says, checked the same way in every service.

A caseworker records on Friday what happened in the field on Tuesday; a clinic bills a week
after it served. So every command carries two times: when the act happened (`occurred_at`,
given by the client, the server's clock when not given) and when it was recorded (the server's
clock; on the stored event it is the envelope's time, CloudEvents ``time``, set by the store at
append). The act's own field (``delivered_at``, ``redeemed_at``, ``requested_at``...) holds when
it happened; indicators count by it.

The rules, one set for every decider:

- not in the future beyond a small clock allowance (`{act}_in_future`);
- not before the program's start (`{act}_before_program_start`);
- not before what it depends on (`{act}_before_{dependency}`, e.g. `delivered_before_opening`);
- an act recorded more than `late_after` after it happened is a late entry: only a supervisor
  may record it (`late_entry_needs_supervisor`, forbidden), and it is audited as such.

Every refusal is `Refused` naming the rule; all but the late entry are `invalid` (422).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.scalars import EARLIEST_DATE
from eventkit.decider import RefusalKind, Refused
from program.load import current_program


def program_start() -> date:
    """The running program's first day (its file's `start`; none: 1900-01-01, no bound)."""
    return current_program().start or EARLIEST_DATE


@dataclass(frozen=True)
class FieldTimeRules:
    """The bounds every act's moment is checked against (see `FieldTimeSettings`)."""

    program_start: date = field(default_factory=program_start)
    clock_allowance: timedelta = timedelta(minutes=5)
    """How far past the server's clock a device's clock may run (phones drift)."""
    late_after: timedelta = timedelta(days=7)
    """Recorded more than this after it happened: a late entry (a supervisor's, audited)."""
    claim_window: timedelta = timedelta(days=60)
    """How long after serving a clinic may send a redemption, even once the voucher expired."""

    @property
    def starts_at(self) -> datetime:
        """The program's first instant (00:00 UTC of its start date)."""
        return datetime.combine(self.program_start, time(), UTC)


PROGRAM_RULES = FieldTimeRules()
"""The defaults: a command's rules unless its service layer passes the configured ones."""

Dependency = tuple[str, datetime | None]
"""What an act depends on, by name (`opening`, `request`, `issue`...), and when it happened
(None: not known, nothing to compare)."""


def happened(
    act: str,
    occurred_at: datetime | None,
    now: datetime,
    rules: FieldTimeRules,
    after: Iterable[Dependency] = (),
) -> datetime:
    """When the act happened: `occurred_at`, or `now` when the client gave none.

    `act` is the past participle the rules are named after (`delivered`, `redeemed`). Refused
    when the moment is in the future beyond the clock allowance, before the program's start, or
    before any of the moments it depends on.
    """
    at = occurred_at or now
    if at > now + rules.clock_allowance:
        raise Refused(
            f"{act}_in_future",
            f"{act}_at is in the future ({at:%Y-%m-%dT%H:%M}Z is past the server's clock by "
            f"more than {_minutes(rules.clock_allowance)} minutes)",
            RefusalKind.INVALID,
        )
    if at < rules.starts_at:
        raise Refused(
            f"{act}_before_program_start",
            f"{act}_at is before the program's start ({rules.program_start.isoformat()})",
            RefusalKind.INVALID,
        )
    for name, moment in after:
        if moment is not None and at < moment:
            raise Refused(
                f"{act}_before_{name}",
                f"{act}_at ({at:%Y-%m-%dT%H:%M}Z) is before the {name} it depends on "
                f"({moment:%Y-%m-%dT%H:%M}Z)",
                RefusalKind.INVALID,
            )
    return at


def across_clocks(
    at: datetime, dependencies: Iterable[Dependency], rules: FieldTimeRules
) -> list[Dependency]:
    """The dependencies `at` comes before by more than the clock allowance: for moments another
    service stamped (a case's opening, a consent, read from a copy), whose clock may differ from
    this one's by as much. Give them to `happened` to refuse by name."""
    return [
        (name, moment)
        for name, moment in dependencies
        if moment is not None and at < moment - rules.clock_allowance
    ]


def is_late(occurred_at: datetime, now: datetime, rules: FieldTimeRules) -> bool:
    """Whether an act recorded `now` that happened at `occurred_at` is a late entry."""
    return now - occurred_at > rules.late_after


def late_entry(
    occurred_at: datetime | None, now: datetime, may_enter_late: bool, rules: FieldTimeRules
) -> str | None:
    """The audit note of a late entry (None when the entry is not late).

    Refused (forbidden) when the entry is late and the caller may not record late entries.
    """
    if occurred_at is None or not is_late(occurred_at, now, rules):
        return None
    if not may_enter_late:
        raise Refused(
            "late_entry_needs_supervisor",
            f"this act happened more than {rules.late_after.days} days before it is recorded "
            f"({occurred_at:%Y-%m-%d}); a supervisor records late entries",
            RefusalKind.FORBIDDEN,
        )
    return f"late_entry occurred_at={occurred_at:%Y-%m-%dT%H:%M:%S}Z"


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


class FieldTimeSettings(BaseSettings):
    """The field-time bounds, from `PANA_FIELD_TIME_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="PANA_FIELD_TIME_", extra="ignore")

    program_start: date = Field(
        default_factory=program_start,
        description="Overrides the program file's `start` (e.g. a previous phase's data).",
    )
    clock_allowance_minutes: int = Field(default=5, ge=0, le=24 * 60)
    late_after_days: int = Field(default=7, ge=0, le=3650)
    claim_window_days: int = Field(default=60, ge=0, le=3650)

    def rules(self) -> FieldTimeRules:
        return FieldTimeRules(
            self.program_start,
            timedelta(minutes=self.clock_allowance_minutes),
            timedelta(days=self.late_after_days),
            timedelta(days=self.claim_window_days),
        )


@lru_cache(maxsize=1)
def configured() -> FieldTimeRules:
    """The rules this process runs with (read once from the environment)."""
    return FieldTimeSettings().rules()


OCCURRED_AT = (
    "When the act happened in the field (RFC 3339 with an offset), if it is recorded later; "
    "None: now. Not in the future, not before the program's start nor what it depends on; "
    "more than the late-entry delay ago, a supervisor's entry."
)
"""The description of every request's `occurred_at` field."""


def act_moment(name: str, default: Any = None) -> Any:
    """The request field of an act whose body already names its moment (`delivered_at`):
    `occurred_at`, the name every act shares, is read into it too (both given: 422)."""
    return Field(
        default, validation_alias=AliasChoices(name, "occurred_at"), description=OCCURRED_AT
    )
