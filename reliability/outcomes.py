"""What every request of a run got back, and how each answer is judged.

A request may be answered 2xx (accepted), 4xx (refused by a rule or the input), 503 with
`Retry-After` (shed: the clear answer during an outage), or get no HTTP answer at all: refused
at connect or dropped mid-request (only acceptable while that service's process was dead), or
no answer before the client's deadline (a hang: never acceptable), or a 5xx other than 503.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class Verdict(StrEnum):
    ACCEPTED = "accepted (2xx)"
    REFUSED = "refused (4xx)"
    SHED = "shed (503 + Retry-After)"
    UNREACHABLE = "connection refused or dropped"
    HANG = "no answer in time (hang)"
    SERVER_ERROR = "server error (5xx, or 503 without Retry-After)"


@dataclass(frozen=True)
class Outcome:
    """One HTTP attempt."""

    service: str
    operation: str
    started: float  # time.monotonic() when sent
    elapsed: float
    status: int | None
    retry_after: str | None = None
    error: str | None = None  # the transport error when there was no HTTP answer
    position: str | None = None  # the id of the last event an accepted command wrote
    timed_out: bool = False

    @property
    def verdict(self) -> Verdict:
        if self.timed_out:
            return Verdict.HANG
        if self.status is None:
            return Verdict.UNREACHABLE
        if 200 <= self.status < 300:
            return Verdict.ACCEPTED
        if self.status == 503:
            return Verdict.SHED if self.retry_after else Verdict.SERVER_ERROR
        if self.status >= 500:
            return Verdict.SERVER_ERROR
        return Verdict.REFUSED


@dataclass
class Outcomes:
    """Every attempt of a run, in the order they finished."""

    items: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.items.append(outcome)

    def by_verdict(self) -> Counter[Verdict]:
        return Counter(o.verdict for o in self.items)

    def of(self, verdict: Verdict) -> list[Outcome]:
        return [o for o in self.items if o.verdict is verdict]

    def accepted_positions(self) -> dict[str, str]:
        """Event id -> service of every accepted command (replays give the same id)."""
        return {o.position: o.service for o in self.of(Verdict.ACCEPTED) if o.position}

    def operations(self) -> Counter[str]:
        return Counter(f"{o.service} {o.operation}" for o in self.of(Verdict.ACCEPTED))
