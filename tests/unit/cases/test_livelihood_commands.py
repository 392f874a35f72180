"""A person's way through a livelihood program by the service layer, on the in-memory store with
fakes: enrolled, scored, trained, followed up, each in the region the route names, audited; a
step before the enrolment is refused and leaves nothing."""

from __future__ import annotations

import pytest

from contracts.livelihoods import SelectionStage
from contracts.vocabulary import ConsentPurpose
from eventkit.decider import Refused
from services.cases.acts_requests import (
    EnrolRequest,
    OutcomeRequest,
    StageRequest,
    TrainingRequest,
)
from services.cases.consent_commands import give
from services.cases.participant_acts import enrol_in, observed, score, trained
from services.cases.participant_requests import ConsentRequest
from services.cases.results import PersonChanged
from tests.support.peru import LivelihoodOutcome, LivelihoodProgram, Region
from tests.unit.cases.fakes import CASEWORKER, InMemory, registered_person
from tests.unit.cases.givens import NOW

PROGRAM = LivelihoodProgram.DESPEGA_TUS_SUENOS
FOLLOWED = [ConsentPurpose.SERVICES, ConsentPurpose.MONITORING_EVALUATION]


async def test_enrolled_scored_trained_and_followed_up_in_the_persons_region() -> None:
    world = InMemory()
    person = await registered_person(world.ports)
    await give(world.ports, person, ConsentRequest(purposes=FOLLOWED), CASEWORKER, NOW)
    region = Region.LIMA_CALLAO
    enrolled = await enrol_in(
        world.ports, person, region, EnrolRequest(program=PROGRAM), CASEWORKER, NOW
    )
    assert enrolled == PersonChanged(person, 3, enrolled.position)
    stage = StageRequest(
        program=PROGRAM, stage=SelectionStage.REGISTRATION_SCORING, score=72, passed=True
    )
    await score(world.ports, person, region, stage, CASEWORKER, NOW)
    await trained(world.ports, person, region, TrainingRequest(program=PROGRAM), CASEWORKER, NOW)
    outcome = OutcomeRequest(
        program=PROGRAM, outcome=LivelihoodOutcome.EMPLOYMENT_OBTAINED, observed_at=NOW
    )
    last = await observed(world.ports, person, region, outcome, CASEWORKER, NOW)
    assert last.version == 6
    steps = world.store.events()[-4:]
    assert [e.event_type for e in steps] == [
        "livelihood.enrolled", "livelihood.stage_scored", "livelihood.training_finished",
        "livelihood.outcome_recorded",
    ]  # fmt: skip
    assert {e.data["region"] for e in steps} == {region}
    assert steps[1].data["score"] == 72
    assert steps[3].data["outcome"] == LivelihoodOutcome.EMPLOYMENT_OBTAINED
    assert [a for _, a, _ in world.audit.actions][-4:] == [
        "livelihood.enrol", "livelihood.score", "livelihood.training", "livelihood.outcome",
    ]  # fmt: skip


async def test_a_step_before_the_enrolment_is_refused_and_leaves_nothing() -> None:
    world = InMemory()
    person = await registered_person(world.ports)
    await give(world.ports, person, ConsentRequest(purposes=FOLLOWED), CASEWORKER, NOW)
    before = len(world.store.events())
    training = TrainingRequest(program=PROGRAM)
    with pytest.raises(Refused) as refused:
        await trained(world.ports, person, Region.LIMA_CALLAO, training, CASEWORKER, NOW)
    assert refused.value.rule == "not_enrolled"
    assert len(world.store.events()) == before
    assert [a for _, a, _ in world.audit.actions] == ["consent.record"]
