"""What a benchmark produces: repeated samples, their median and spread, a ratio and a verdict."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Samples:
    """Repeated measurements of one quantity (higher or lower is better, per its figure)."""

    unit: str
    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def spread(self) -> str:
        return f"{_num(min(self.values))}-{_num(max(self.values))}"

    def summary(self) -> str:
        return f"{_num(self.median)} {self.unit} ({self.spread()})"


@dataclass(frozen=True)
class Figure:
    """One row of the table: ours against its baseline, and the target the issue sets.

    `ratio` is ours / baseline of the medians; `target` is checked by `holds` (a description
    of the rule is in `target`). `notes` carry secondary figures (latency percentiles, sizes).
    """

    benchmark: str
    measure: str
    ours: Samples
    baseline: Samples | None
    baseline_name: str
    target: str
    holds: bool | None
    notes: tuple[str, ...] = field(default=())

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline.median == 0:
            return None
        return self.ours.median / self.baseline.median

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: "-"}[self.holds]


@dataclass(frozen=True)
class NotMeasured:
    """A benchmark the run could not take, and why."""

    benchmark: str
    reason: str


def _num(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (fraction in 0..1)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]
