"""A command's codes are checked against the program the service runs, not the code's enums."""

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from program.known import (
    KnownAttributes,
    KnownDestination,
    KnownPopulationType,
    KnownTerritory,
)


class Request(BaseModel):
    region: KnownTerritory
    destinations: list[KnownDestination] = []


def test_peru_accepts_its_regions_and_names_an_unknown_code_and_its_field() -> None:
    assert Request(region="tumbes", destinations=["CEM"]).region == "tumbes"

    with pytest.raises(ValidationError) as refused:
        Request(region="cusco")
    (error,) = refused.value.errors()
    assert error["loc"] == ("region",)
    assert "unknown territory code 'cusco'" in error["msg"]
    assert "lima_callao, piura, tumbes" in error["msg"]


@pytest.mark.usefixtures("balkans")
def test_another_program_file_changes_what_is_accepted_without_code() -> None:
    assert Request(region="rs_nis", destinations=["CSW"]).destinations == ["CSW"]

    with pytest.raises(ValidationError) as refused:
        Request(region="tumbes", destinations=["CEM"])
    assert [e["loc"] for e in refused.value.errors()] == [("region",), ("destinations", 0)]


def test_the_openapi_schema_lists_the_programs_codes() -> None:
    schema = Request.model_json_schema()

    assert schema["properties"]["region"]["enum"] == [
        "la_libertad",
        "lima_callao",
        "piura",
        "tumbes",
    ]


def test_attributes_and_population_types_of_the_program_only() -> None:
    attributes = TypeAdapter(KnownAttributes)
    assert attributes.validate_python({"lgbtiq": "no", "disability": "not_asked"}) == {
        "disability": "not_asked",
        "lgbtiq": "no",
    }
    for wrong, message in [
        ({"ethnicity": "roma"}, "unknown attribute 'ethnicity'"),
        ({"lgbtiq": "maybe"}, "unknown lgbtiq code 'maybe'"),
        ({"lgbtiq": "a free text"}, "String should match pattern"),
    ]:
        with pytest.raises(ValidationError, match=message):
            attributes.validate_python(wrong)
    assert TypeAdapter(KnownPopulationType).validate_python("pendular") == "pendular"
    with pytest.raises(ValidationError, match="unknown population_type code"):
        TypeAdapter(KnownPopulationType).validate_python("internally_displaced")
