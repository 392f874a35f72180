"""Crashes and restarts under a steady load of mixed commands: nothing accepted is lost, and
every request during an outage got a clear answer (503 + Retry-After, or no connection while
its process was dead), never a hang or a 500.

The faults: SIGKILL of the standalone relay publishing the cases database (the cases service's
in-process relay must take its lock over), of a write service, of the indicators service (its
consumers die with it); restart of Kafka; restart of PostgreSQL.

The scenario runs once (module fixture); each promise is its own test.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial

import pytest

from reliability.faults import FaultInjector
from reliability.journeys import World
from reliability.ledger import Reconciliation, reconcile
from reliability.load import SteadyLoad
from reliability.outcomes import Outcome, Outcomes, Verdict
from reliability.profile import Profile
from reliability.report import Report
from reliability.stack import RELAY_SERVICE, WRITE_SERVICES, SystemUnderTest

pytestmark = pytest.mark.e2e


@dataclass
class Run:
    outcomes: Outcomes
    faults: FaultInjector
    result: Reconciliation
    unexplained: list[Outcome]


@pytest.fixture(scope="module")
async def run(system: SystemUnderTest, world: World, profile: Profile, report: Report) -> Run:
    outcomes = Outcomes()
    load = SteadyLoad(system, world, profile.clients, outcomes)
    faults = FaultInjector(system)
    load.start()
    try:
        for round_ in range(profile.fault_rounds):
            victim = WRITE_SERVICES[round_ % len(WRITE_SERVICES)] if round_ else "vouchers"
            for inject in (
                faults.kill_relay,
                partial(faults.kill_service, victim),
                partial(faults.kill_service, "indicators"),
                faults.restart_kafka,
                faults.restart_postgres,
            ):
                await asyncio.sleep(profile.phase_seconds)  # the steady load runs meanwhile
                await inject()
        await asyncio.sleep(profile.phase_seconds)
    finally:
        await load.stop()
    unexplained = [o for o in outcomes.of(Verdict.UNREACHABLE) if not faults.explains(o)]
    result = await reconcile(system, outcomes.accepted_positions())
    _write(report, profile, load, outcomes, faults, result, unexplained)
    return Run(outcomes, faults, result, unexplained)


def _write(
    report: Report,
    profile: Profile,
    load: SteadyLoad,
    outcomes: Outcomes,
    faults: FaultInjector,
    result: Reconciliation,
    unexplained: list[Outcome],
) -> None:
    section = report.section("Faults under a steady load")
    section.line(
        f"{profile.clients} concurrent clients ran mixed journeys (vouchers issue → redeem; "
        "cases register → consent → open → deliver service; referrals request → unit accepts; "
        "20% also read the dashboard) for "
        f"{load.stopped - load.started:.0f} s, retrying 503s and lost connections with the "
        "same Idempotency-Key. Faults, in order:"
    )
    for fault in faults.timeline:
        ready = f"all services ready again after {fault.recovery_seconds:.1f} s"
        section.line(f"- {fault.name}: {fault.note or ready}")
    verdicts = outcomes.by_verdict()
    section.figure("journeys completed", load.journeys)
    for operation, count in sorted(outcomes.operations().items()):
        section.figure(f"accepted: {operation}", count)
    for verdict in Verdict:
        section.figure(f"attempts {verdict.value}", verdicts.get(verdict, 0))
    section.figure("no answer outside a dead process's window", len(unexplained))
    section.figure("slowest answer (s)", f"{max(o.elapsed for o in outcomes.items):.2f}")
    section.figure("accepted commands (distinct positions)", result.accepted)
    section.figure("events in the stores (whole session so far)", result.stored)
    section.figure("distinct events on Kafka", result.on_kafka)
    section.figure(
        "duplicate copies on Kafka (after crashes; deduped by id)", result.kafka_duplicates
    )
    section.figure("accepted but missing in the store", len(result.missing_in_store))
    section.figure("stored but missing on Kafka", len(result.missing_on_kafka))
    for consumer, missing in result.missing_in_projection.items():
        section.figure(f"stored but not applied by {consumer}", len(missing))
    for number, kill in enumerate(faults.relay_kills, 1):
        section.figure(
            f"relay SIGKILL {number}: seconds until {kill.successor} held the lock",
            f"{kill.failover_seconds:.1f}",
        )
    section.figure("outbox rows left", result.outbox_left)
    section.figure("**lost**", f"**{result.lost}**")


def test_nothing_accepted_is_lost(run: Run) -> None:
    """Every 2xx command's event is in its store; every stored event on Kafka and applied once
    by every projection (`processed_events`, committed with the facts); outboxes drained."""
    assert run.result.accepted > 0 and run.result.missing_in_projection
    assert run.result.lost == 0, run.result
    assert run.result.outbox_left == 0


def test_the_killed_relay_was_the_publisher_and_the_standby_took_over(run: Run) -> None:
    """Each SIGKILL hit the standalone relay while it held the publisher's lock and published
    under the load; the cases service's in-process relay took the lock over (and, per
    `test_nothing_accepted_is_lost`, nothing it had not acknowledged was lost)."""
    kills = run.faults.relay_kills
    assert kills, "the standalone relay was never killed"
    for kill in kills:
        assert kill.published_while_leading > 0, kill
        assert kill.successor == f"the {RELAY_SERVICE} service's in-process relay", kill


def test_outages_get_clear_answers_never_hangs(run: Run) -> None:
    """No request went unanswered past the client's deadline, none was refused (4xx) by the
    faults, and a missing connection happened only while that service's process was dead."""
    assert run.outcomes.of(Verdict.HANG) == []
    assert run.outcomes.of(Verdict.REFUSED) == []
    timeline = [(f.name, f.started, f.ended) for f in run.faults.timeline]
    assert run.unexplained == [], (run.unexplained[:5], timeline)


def test_outages_never_answer_500(run: Run, system: SystemUnderTest) -> None:
    errors = run.outcomes.of(Verdict.SERVER_ERROR)
    assert errors == [], [*errors[:3], *{system.log_errors(o.service) for o in errors}]
