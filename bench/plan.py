"""How long and how often each benchmark runs: the full suite, or the quick form CI runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    """Repeats and sizes of one run; `quick` keeps the suite working in a minute or two."""

    name: str
    repeats: int
    seconds: float
    """How long each throughput measurement runs (after its warm-up)."""
    warmup: float
    clients: int
    http_clients: int
    rebuild_sizes: tuple[int, int]
    """Events in the smaller and the larger rebuild (scaling: the larger is 10x)."""
    large_repeats: int
    """Repeats of the larger rebuild (each takes minutes at full size)."""
    read_sizes: tuple[int, int]
    """Events in the read model when dashboard read latency is measured (flat: 10k vs 1M)."""
    reads: int
    read_repeats: int
    """Repeats of the read-latency rounds (each reloads the whole read model once)."""
    freshness_seconds: float
    year_people: int
    """People in the program year behind the dashboard's first paint (benchmark 6)."""
    budget_seconds: float
    """Optional repeats of the slowest steps are skipped (and said so) past this time."""

    @property
    def quick(self) -> bool:
        return self.name == "quick"


FULL = Plan(
    name="full",
    repeats=5,
    seconds=5.0,
    warmup=1.0,
    clients=16,
    http_clients=32,
    rebuild_sizes=(100_000, 1_000_000),
    large_repeats=2,
    read_sizes=(10_000, 1_000_000),
    reads=200,
    read_repeats=3,
    freshness_seconds=10.0,
    year_people=26_500,  # Year 2's DIRECT target
    budget_seconds=19 * 60,
)
QUICK = Plan(
    name="quick",
    repeats=2,
    seconds=1.5,
    warmup=0.3,
    clients=16,
    http_clients=16,
    rebuild_sizes=(2_000, 20_000),
    large_repeats=1,
    read_sizes=(2_000, 20_000),
    reads=50,
    read_repeats=2,
    freshness_seconds=4.0,
    year_people=300,
    budget_seconds=150,
)
