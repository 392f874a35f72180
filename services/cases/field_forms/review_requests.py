"""Request bodies of the review queue (validated; an example each)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.scalars import ReasonCode
from program.known import example


class ApplyRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"answers": {"region": example("territory")}}]},
    )

    answers: dict[str, Any] = Field(
        default_factory=dict,
        description="Corrected answers by question name (a repeat: the whole list)",
    )


class DiscardRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "duplicate"}]}
    )

    reason: ReasonCode
