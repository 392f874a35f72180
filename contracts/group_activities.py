"""Events of group activities: a fair, a talk, a health campaign, a social-media post.

The people such an activity reaches are counted by headcount, never by person: the event carries
how many women, men... of each age group were there, and no person id, name or narrative. They
are the logframe's *indirect* participants, reported beside the unique people and never added to
them (someone counted at a fair may also be a registered participant; no one can tell).
"""

from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from contracts.codes import CODE_PATTERN, AgeGroupCode, Vocabulary
from contracts.event import Event
from contracts.people import AgeGroup, Sex
from contracts.scalars import UtcDateTime
from contracts.vocabulary import Region

GroupActivityKind = Annotated[
    str,
    StringConstraints(pattern=CODE_PATTERN),
    Field(description="A kind of group activity of the program (fair, talk, ...)."),
    Vocabulary("group_activity_kind"),
]

MAX_HEADCOUNT = 1_000_000
"""One cell's ceiling: a social-media post reaches many, but not more than a million of one
sex and age group in one post (a typo guard, mirrored by the API and the field form)."""


class Headcount(BaseModel):
    """How many people of one sex and one age group an activity reached."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sex: Sex
    age_group: AgeGroupCode
    count: int = Field(ge=0, le=MAX_HEADCOUNT, strict=True)


_REPORTS_SEVEN = [a.value for a in AgeGroup]


def _age_order(code: str) -> tuple[int, str]:
    # The reports' seven in their order (the wire form events already have), other bands after.
    if code in _REPORTS_SEVEN:
        return _REPORTS_SEVEN.index(code), ""
    return len(_REPORTS_SEVEN), code


class GroupActivityEvent(Event):
    """Marker base of the group-activity aggregate's events (stream key: ``activity_id``)."""

    aggregate: ClassVar[str] = "group_activity"
    subject_field: ClassVar[str] = "activity_id"


class GroupActivityRecorded(GroupActivityEvent):
    """A group activity was held and its attendance counted by sex and age group.

    ``headcounts`` holds each (sex, age group) at most once, sorted, so one activity has one wire
    form; cells of zero may be given and are kept; the total is at least one.
    """

    event_type: ClassVar[str] = "group_activity.recorded"

    activity_id: UUID
    kind: GroupActivityKind
    region: Region
    headcounts: tuple[Headcount, ...] = Field(min_length=1)
    recorded_by: UUID
    held_at: UtcDateTime

    @field_validator("headcounts")
    @classmethod
    def _cells_once_sorted_and_someone_there(
        cls, cells: tuple[Headcount, ...]
    ) -> tuple[Headcount, ...]:
        keys = [(h.sex, h.age_group) for h in cells]
        if len(set(keys)) != len(keys):
            raise ValueError("each sex and age group at most once")
        if sum(h.count for h in cells) < 1:
            raise ValueError("the total must be at least 1")
        sexes = list(Sex)
        return tuple(sorted(cells, key=lambda h: (sexes.index(h.sex), *_age_order(h.age_group))))

    @property
    def total(self) -> int:
        """How many people the activity reached (the sum of its cells)."""
        return sum(h.count for h in self.headcounts)
