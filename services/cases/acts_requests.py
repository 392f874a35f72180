"""Request bodies for outreach and livelihood programs (validated; an example each)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from contracts.livelihoods import SelectionStage
from contracts.outreach import DeliveryMode
from contracts.scalars import PlausibleDateTime
from contracts.vocabulary import (
    MessageChannel,
    MessageTopic,
)
from eventkit.field_time import act_moment
from program.known import (
    KnownAdmin2,
    KnownLivelihoodOutcome,
    KnownLivelihoodProgram,
    KnownTerritory,
    example,
)

MAX_BULK = 10_000
_ID = "9b2e6f0c-8d1a-4f3e-b7c2-5a6d4e3f2a1b"


def _example(**data: Any) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [data]})


class OutreachRequest(BaseModel):
    model_config = _example(
        participant_ids=[_ID], topic="health_services", channel="fair",
        delivery_mode="in_person", region=example("territory", 3),
        reached_at="2022-06-01T15:30:00Z",
    )  # fmt: skip

    participant_ids: list[UUID] = Field(min_length=1, max_length=MAX_BULK)
    topic: MessageTopic
    channel: MessageChannel
    delivery_mode: DeliveryMode
    region: KnownTerritory
    admin2: KnownAdmin2 | None = Field(
        None, description="The province (admin2) inside `region` where it happened, when known."
    )
    reached_at: PlausibleDateTime = act_moment("reached_at", ...)


class EnrolRequest(BaseModel):
    model_config = _example(program=example("livelihood_program", 1))

    program: KnownLivelihoodProgram
    enrolled_at: PlausibleDateTime | None = act_moment("enrolled_at")


class StageRequest(BaseModel):
    model_config = _example(
        program=example("livelihood_program"), stage="pitch_video", score=82, passed=True
    )

    program: KnownLivelihoodProgram
    stage: SelectionStage
    score: Annotated[int, Field(ge=0, le=100, strict=True)]
    passed: StrictBool
    scored_at: PlausibleDateTime | None = act_moment("scored_at")


class TrainingRequest(BaseModel):
    model_config = _example(
        program=example("livelihood_program", 1), finished_at="2022-10-31T15:30:00Z"
    )

    program: KnownLivelihoodProgram
    finished_at: PlausibleDateTime | None = act_moment("finished_at")


class OutcomeRequest(BaseModel):
    model_config = _example(
        program=example("livelihood_program", 1),
        outcome=example("livelihood_outcome", 4),
        observed_at="2023-01-15T12:00:00Z",
    )

    program: KnownLivelihoodProgram
    outcome: KnownLivelihoodOutcome
    observed_at: PlausibleDateTime = act_moment("observed_at", ...)


class ReachRequest(BaseModel):
    model_config = _example(
        topic="income_generation", channel="whatsapp", delivery_mode="remote",
        region=example("territory", 2),
        reached_at="2022-06-01T15:30:00Z",
    )  # fmt: skip

    topic: MessageTopic
    channel: MessageChannel
    delivery_mode: DeliveryMode
    region: KnownTerritory
    admin2: KnownAdmin2 | None = Field(
        None, description="The province (admin2) inside `region` where it happened, when known."
    )
    reached_at: PlausibleDateTime = act_moment("reached_at", ...)
