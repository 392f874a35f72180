"""The service layer for what happens to a person outside a case: outreach and livelihoods.

Each returns what it recorded (`services.cases.results`); the routes shape the answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from access.actors import actor_id
from access.late_entry import late_entry_note
from access.principal import Principal, Region
from contracts.event import Event
from contracts.vocabulary import LivelihoodProgram
from eventkit.aggregate import execute
from eventkit.field_time import configured
from eventkit.ids import new_id
from eventkit.store import Connection
from services.cases import bulk_outreach, enrol, finish_training, record_outcome, score_stage
from services.cases.acts_requests import (
    EnrolRequest,
    OutcomeRequest,
    OutreachRequest,
    ReachRequest,
    StageRequest,
    TrainingRequest,
)
from services.cases.livelihoods import Step
from services.cases.participant import Participant, evolve
from services.cases.ports import Ports
from services.cases.record_reach import RecordReach
from services.cases.record_reach import decide as decide_reach
from services.cases.results import PersonChanged, Reached

Act = Callable[[Participant, uuid.UUID, datetime], Sequence[Event]]
"""A participant rule given the state, the acting staff member's id and the time."""


async def acted(
    ports: Ports,
    participant_id: uuid.UUID,
    action: str,
    rule: Act,
    principal: Principal,
    now: datetime,
    occurred_at: datetime | None = None,
) -> PersonChanged:
    """One fact about one person (a livelihood step, one reach), on the surviving record;
    `occurred_at`, the moment the rule was given: late, a supervisor's."""
    late = late_entry_note(principal, occurred_at, now, configured())
    target = await ports.views.surviving(participant_id)
    by = actor_id(principal)
    decided = await execute(
        ports.store, str(target), evolve, Participant(), lambda s: rule(s, by, now), now=now
    )
    await ports.views.record(decided.events, decided.appended.version)
    await ports.audit.done(principal, action, ("participant", target), late)
    return PersonChanged(target, decided.appended.version, decided.position)


async def reach(
    ports: Ports, participant_id: uuid.UUID, body: ReachRequest, principal: Principal,
    now: datetime,
) -> PersonChanged:  # fmt: skip
    """One person reached by a targeted message."""
    reach_id, rules = new_id(), configured()

    def rule(state: Participant, by: uuid.UUID, at: datetime) -> Sequence[Event]:
        return decide_reach(RecordReach(
            reach_id, body.topic, body.channel, body.delivery_mode, body.region, body.reached_at,
            at, rules, body.admin2,
        ), state)  # fmt: skip

    return await acted(ports, participant_id, "outreach.record", rule, principal, now,
                       body.reached_at)  # fmt: skip


async def _livelihood(
    ports: Ports, participant_id: uuid.UUID, action: str, region: Region,
    program: LivelihoodProgram, at: datetime | None, principal: Principal, now: datetime,
    decide: Callable[[Step, Participant], Sequence[Event]],
) -> PersonChanged:  # fmt: skip
    """A livelihood step in the person's region, when it happened (`at`; None: now)."""

    def rule(state: Participant, by: uuid.UUID, when: datetime) -> Sequence[Event]:
        return decide(Step(program, region, by, at or when, when, configured()), state)

    return await acted(ports, participant_id, action, rule, principal, now, at)


async def enrol_in(
    ports: Ports, participant_id: uuid.UUID, region: Region, body: EnrolRequest,
    principal: Principal, now: datetime,
) -> PersonChanged:  # fmt: skip
    return await _livelihood(
        ports, participant_id, "livelihood.enrol", region, body.program, body.enrolled_at,
        principal, now, lambda step, s: enrol.decide(enrol.Enrol(step), s),
    )  # fmt: skip


async def score(
    ports: Ports, participant_id: uuid.UUID, region: Region, body: StageRequest,
    principal: Principal, now: datetime,
) -> PersonChanged:  # fmt: skip
    command = partial(score_stage.ScoreStage, stage=body.stage, score=body.score,
                      passed=body.passed)  # fmt: skip
    return await _livelihood(
        ports, participant_id, "livelihood.score", region, body.program, body.scored_at,
        principal, now, lambda step, s: score_stage.decide(command(step), s),
    )  # fmt: skip


async def trained(
    ports: Ports, participant_id: uuid.UUID, region: Region, body: TrainingRequest,
    principal: Principal, now: datetime,
) -> PersonChanged:  # fmt: skip
    return await _livelihood(
        ports, participant_id, "livelihood.training", region, body.program, body.finished_at,
        principal, now,
        lambda step, s: finish_training.decide(finish_training.FinishTraining(step), s),
    )  # fmt: skip


async def observed(
    ports: Ports, participant_id: uuid.UUID, region: Region, body: OutcomeRequest,
    principal: Principal, now: datetime,
) -> PersonChanged:  # fmt: skip
    """A verified livelihood outcome (needs consent for monitoring and evaluation)."""
    command = partial(record_outcome.RecordOutcome, outcome_id=new_id(), outcome=body.outcome)
    return await _livelihood(
        ports, participant_id, "livelihood.outcome", region, body.program, body.observed_at,
        principal, now, lambda step, s: record_outcome.decide(command(step), s),
    )  # fmt: skip


async def reach_many(
    conn: Connection,
    ports: Ports,
    body: OutreachRequest,
    principal: Principal,
    may_reach: Callable[[Region], object],
    now: datetime,
) -> Reached:
    """Everyone an activity reached, in one transaction or none; `may_reach` refuses a region
    the caller may not record outreach in (it raises). Set-wise on the connection
    (`bulk_outreach`): thousands of people in one statement."""
    rules = configured()
    late = late_entry_note(principal, body.reached_at, now, rules)
    template = RecordReach(
        new_id(), body.topic, body.channel, body.delivery_mode, body.region,
        body.reached_at, now, rules, body.admin2,
    )  # fmt: skip
    # Everyone reached must be the caller's region's (a merged id: its survivor's too).
    for region in await bulk_outreach.regions(conn, body.participant_ids):
        may_reach(Region(region))
    reached = await bulk_outreach.record_many(
        conn, template, body.participant_ids, clock=lambda: now
    )
    await ports.audit.done(principal, "outreach.record", ("activity", template.reach_id), late)
    position = reached[-1]["event_id"] if reached else None
    return Reached(template.reach_id, len(reached), list(reached), position)
