"""R4V reporting as program data: who reports, and where each logframe indicator's people go.

The inter-agency platform's 5W report (domain brief, section 9) has fixed columns (country,
appealing and implementing organisation) and, per activity, the RMRP sector and indicator it is
reported under. Those are the program's words, not counting rules, so they live in the program
file: the same mapping serves every logframe of the program (phases, years, versions keep their
indicator ids), and changing it needs no new logframe key.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.codes import CODE_PATTERN

IndicatorId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,20}$")]
"""A logframe indicator's id (`services.indicators.logframe.Indicator.id`)."""

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class R4VActivity(_Strict):
    """Where an indicator's people go in the 5W: the RMRP sector, indicator and activity."""

    sector: Name
    indicator: Name = Field(description="The RMRP indicator reported against.")
    activity: Name


class R4V(_Strict):
    """Who reports to R4V (the 5W's fixed columns) and each mapped indicator's activity.

    `population_type` is a code of the program's `population_types`: the 5W's population type
    of a person who has none recorded (registration and correction record one)."""

    country: Name
    appealing_organisation: Name
    implementing_organisation: Name
    population_type: Annotated[str, StringConstraints(pattern=CODE_PATTERN)] = Field(
        description="Population type of people with none recorded (a `population_types` code)."
    )
    indicators: dict[IndicatorId, R4VActivity] = Field(
        min_length=1, description="Per logframe indicator id (people indicators only)."
    )
