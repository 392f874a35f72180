"""How hard a run pushes: the short form (`make test`) and the soak (`make soak`)."""

from __future__ import annotations

import os
from dataclasses import dataclass

PROFILE_VARIABLE = "PANA_RELIABILITY_PROFILE"
REPORT_VARIABLE = "PANA_RELIABILITY_REPORT"
"""Where `python -m reliability` has the run write RELIABILITY.md; unset (`make test`), no file
is written, so the suite leaves the committed report and the working tree as they were."""


@dataclass(frozen=True)
class Profile:
    """Sizes of one run; every figure in the report comes from a run of one profile."""

    name: str
    clients: int  # concurrent clients of the steady load
    phase_seconds: float  # load before, between and after faults
    fault_rounds: int  # how many times the whole fault sequence is repeated
    race_rounds: int  # repetitions of each concurrency race
    hostile_examples: int  # schemathesis examples per operation and role
    oversized_megabytes: int
    shedding_seconds: float  # clients push on at a throttled Kafka after the first 503
    stateful_scenarios: int  # schemathesis sequences along the OpenAPI links, per service
    stateful_steps: int  # calls per sequence, at most


SHORT = Profile("short", clients=6, phase_seconds=2.0, fault_rounds=1, race_rounds=8,
                hostile_examples=1, oversized_megabytes=4, shedding_seconds=3.0,
                stateful_scenarios=40, stateful_steps=8)  # fmt: skip
SOAK = Profile("soak", clients=24, phase_seconds=20.0, fault_rounds=3, race_rounds=100,
               hostile_examples=40, oversized_megabytes=64, shedding_seconds=30.0,
               stateful_scenarios=200, stateful_steps=15)  # fmt: skip


def current() -> Profile:
    """The profile named by `PANA_RELIABILITY_PROFILE` (`short` unless it says `soak`)."""
    return SOAK if os.environ.get(PROFILE_VARIABLE) == "soak" else SHORT
