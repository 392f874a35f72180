"""Given participant events, when a livelihood command, then events or a refusal."""

from __future__ import annotations

import uuid
from datetime import timedelta

from contracts.event import Event
from contracts.livelihoods import (
    LivelihoodEnrolled,
    LivelihoodStageScored,
    LivelihoodTrainingFinished,
    SelectionStage,
)
from contracts.outreach import LivelihoodOutcomeRecorded
from contracts.vocabulary import ConsentPurpose
from services.cases import enrol, finish_training, livelihoods, record_outcome, score_stage
from tests.support.deciders import then_only, then_refused, when
from tests.support.peru import LivelihoodOutcome, LivelihoodProgram, Region
from tests.unit.cases.givens import NOW, STAFF, consented, person, registered

PROGRAM = LivelihoodProgram.DESPEGA_TUS_SUENOS
BOTH = consented(ConsentPurpose.SERVICES, ConsentPurpose.MONITORING_EVALUATION)


def _step(days: int = 0) -> livelihoods.Step:
    return livelihoods.Step(
        PROGRAM, Region.PIURA, STAFF, NOW + timedelta(days=days), NOW + timedelta(days=400)
    )


ENROLLED = (registered(), BOTH, *enrol.decide(enrol.Enrol(_step()), person(registered(), BOTH)))


def _outcome(outcome: LivelihoodOutcome, days: int, *events: Event) -> list[Event]:
    return list(
        record_outcome.decide(
            record_outcome.RecordOutcome(_step(days), uuid.uuid4(), outcome),
            person(*ENROLLED, *events),
        )
    )


def test_enrol_once_with_consent_for_services() -> None:
    then_only(
        enrol.decide(enrol.Enrol(_step()), person(registered(), BOTH)),
        LivelihoodEnrolled,
        program=PROGRAM,
    )
    then_refused(when(enrol.decide, enrol.Enrol(_step()), person(*ENROLLED)), "already_enrolled")
    then_refused(when(enrol.decide, enrol.Enrol(_step()), person(registered())), "consent_missing")


def test_stages_and_training_need_enrolment() -> None:
    scored = score_stage.decide(
        score_stage.ScoreStage(_step(), SelectionStage.INTERVIEW, 71, True), person(*ENROLLED)
    )
    then_only(scored, LivelihoodStageScored, score=71, passed=True)
    then_refused(
        when(
            score_stage.decide,
            score_stage.ScoreStage(_step(), SelectionStage.INTERVIEW, 101, True),
            person(*ENROLLED),
        ),
        "score_out_of_range",
    )
    then_refused(
        when(
            score_stage.decide,
            score_stage.ScoreStage(_step(), SelectionStage.PITCH_VIDEO, 50, False),
            person(registered(), BOTH),
        ),
        "not_enrolled",
    )
    finished = finish_training.decide(finish_training.FinishTraining(_step()), person(*ENROLLED))
    then_only(finished, LivelihoodTrainingFinished)
    then_refused(
        when(
            finish_training.decide,
            finish_training.FinishTraining(_step()),
            person(*ENROLLED, *finished),
        ),
        "training_already_finished",
    )
    then_refused(
        when(finish_training.decide, finish_training.FinishTraining(_step(401)), person(*ENROLLED)),
        "date_in_future",
    )


def test_outcomes_need_consent_for_monitoring() -> None:
    services_only = (
        registered(),
        consented(),
        *enrol.decide(enrol.Enrol(_step()), person(registered(), consented())),
    )
    then_refused(
        when(
            record_outcome.decide,
            record_outcome.RecordOutcome(_step(), uuid.uuid4(), LivelihoodOutcome.BUSINESS_STARTED),
            person(*services_only),
        ),
        "consent_missing",
    )
    then_only(_outcome(LivelihoodOutcome.BUSINESS_STARTED, 10), LivelihoodOutcomeRecorded)


def test_employment_kept_needs_employment_six_months_before() -> None:
    got_job = _outcome(LivelihoodOutcome.EMPLOYMENT_OBTAINED, 0)
    then_refused(
        when(_outcome, LivelihoodOutcome.EMPLOYMENT_KEPT_6_MONTHS, 100, *got_job),
        "employment_not_six_months",
    )
    assert _outcome(LivelihoodOutcome.EMPLOYMENT_KEPT_6_MONTHS, 200, *got_job)


def test_self_employment_kept_six_months_counts_too() -> None:
    started = _outcome(LivelihoodOutcome.SELF_EMPLOYMENT_OBTAINED, 0)
    assert _outcome(LivelihoodOutcome.EMPLOYMENT_KEPT_6_MONTHS, 200, *started)


def test_skills_used_count_within_six_months_after_training() -> None:
    then_refused(
        when(_outcome, LivelihoodOutcome.VOCATIONAL_SKILLS_USED, 10), "outside_training_window"
    )
    finished = finish_training.decide(finish_training.FinishTraining(_step()), person(*ENROLLED))
    assert _outcome(LivelihoodOutcome.VOCATIONAL_SKILLS_USED, 100, *finished)
    then_refused(
        when(_outcome, LivelihoodOutcome.VOCATIONAL_SKILLS_USED, 200, *finished),
        "outside_training_window",
    )
