"""A request model's `admin2` (province) field, as every service that takes one checks it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError


def refuses_an_unknown_province(model: type[BaseModel]) -> None:
    """The model's OpenAPI example reads without a province, and an unknown code is refused
    naming the field and the code."""
    extra: Any = model.model_config.get("json_schema_extra")
    example: dict[str, Any] = extra["examples"][0]
    assert model.model_validate(example).model_dump()["admin2"] is None
    with pytest.raises(ValidationError) as refused:
        model.model_validate({**example, "admin2": "atlantis"})
    (error,) = refused.value.errors()
    assert error["loc"] == ("admin2",)
    assert "unknown admin2 code 'atlantis'" in error["msg"]
