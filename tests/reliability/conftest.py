"""One system under test for the reliability suite, and the report its tests write."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reliability.journeys import World
from reliability.load import prepare, restore
from reliability.outcomes import Outcomes
from reliability.profile import REPORT_VARIABLE, Profile, current
from reliability.report import Report
from reliability.stack import SystemUnderTest

ROOT = Path(__file__).resolve().parents[2]
_RESULTS: dict[str, list[str]] = {"passed": [], "failed": []}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Remember which tests passed and failed, for the report's head."""
    if report.failed:
        _RESULTS["failed"].append(f"{report.nodeid.rsplit('/', 1)[-1]} ({report.when})")
    elif report.passed and report.when == "call":
        _RESULTS["passed"].append(report.nodeid)


@pytest.fixture(scope="session")
def profile() -> Profile:
    return current()


@pytest.fixture(scope="session")
def report(profile: Profile) -> Iterator[Report]:
    """Collects sections; RELIABILITY.md is written once the session's tests are done (only when
    run by `python -m reliability`: `make test` leaves the committed report alone)."""
    soak = profile.name == "soak"
    made = Report(profile, "python -m reliability --soak" if soak else "pytest tests/reliability")
    yield made
    made.passed, made.failed = len(_RESULTS["passed"]), list(_RESULTS["failed"])
    target = os.environ.get(REPORT_VARIABLE)  # set by `python -m reliability`, not `make test`
    if made.sections and target:
        made.write(Path(target))


@pytest.fixture(scope="session")
def system(state_root: Path) -> Iterator[SystemUnderTest]:
    """Kafka, PostgreSQL and the four services as processes on free ports, for the session."""
    sut = SystemUnderTest.on_free_ports(state_root / "reliability")
    try:
        sut.up()
        yield sut
    finally:
        sut.down()


@pytest.fixture(scope="session")
async def prepared(system: SystemUnderTest) -> World:
    """A provider, a receiving unit and consented people, made once for the session."""
    return await prepare(system, Outcomes())


@pytest.fixture(scope="module")
async def world(system: SystemUnderTest, prepared: World) -> World:
    """The session's world, its provider and unit as made at the start of each module: an
    earlier module's administrator calls (the hostile sequences) may have renamed, narrowed or
    deactivated them."""
    await restore(system, prepared)
    return prepared
