"""Request body for recording a group activity with headcounts (validated; an example)."""

from __future__ import annotations

from typing import Annotated, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.group_activities import MAX_HEADCOUNT, Headcount
from contracts.people import Sex
from contracts.scalars import PlausibleDateTime
from eventkit.field_time import act_moment
from program.known import KnownAgeGroup, KnownGroupActivityKind, KnownSex, KnownTerritory, example
from program.load import current_program

ProgramSex = KnownSex
ProgramAgeGroup = KnownAgeGroup
MAX_BANDS = 121
"""At most one age group per year of age (`from` 0 to 120): each sex and age group once."""


def _first_kind() -> str:
    # A program may list no kinds (then none can be recorded); the example still renders.
    kinds = current_program().ordered("group_activity_kind")
    return kinds[0] if kinds else "fair"


class HeadcountCell(BaseModel):
    """How many people of one sex and age group (of the program's) took part."""

    model_config = ConfigDict(extra="forbid")

    sex: ProgramSex
    age_group: ProgramAgeGroup
    count: Annotated[int, Field(ge=0, le=MAX_HEADCOUNT, strict=True)]


class GroupActivityRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=lambda schema: schema.update(
            examples=[
                {
                    "kind": _first_kind(),
                    "region": example("territory", 3),
                    "headcounts": [
                        {"sex": "woman", "age_group": "youth", "count": 42},
                        {"sex": "woman", "age_group": "adults", "count": 18},
                        {"sex": "man", "age_group": "youth", "count": 25},
                    ],
                    "held_at": "2022-08-20T15:00:00Z",
                }
            ]
        ),
    )

    activity_id: UUID | None = Field(
        default=None,
        description="The activity's id, when the device or import chose it (a resend is then "
        "refused as already recorded); None: the service assigns one.",
    )
    kind: KnownGroupActivityKind
    region: KnownTerritory
    headcounts: list[HeadcountCell] = Field(min_length=1, max_length=len(Sex) * MAX_BANDS)
    held_at: PlausibleDateTime | None = act_moment("held_at")

    @model_validator(mode="after")
    def _cells_once_and_someone_there(self) -> Self:
        cells = [(c.sex, c.age_group) for c in self.headcounts]
        if len(set(cells)) != len(cells):
            raise ValueError("headcounts: each sex and age group at most once")
        if sum(c.count for c in self.headcounts) < 1:
            raise ValueError("headcounts: the total must be at least 1")
        return self

    def cells(self) -> tuple[Headcount, ...]:
        """The headcounts as the event carries them."""
        return tuple(Headcount(sex=c.sex, age_group=c.age_group, count=c.count)
                     for c in self.headcounts)  # fmt: skip
