"""Commands take only the sexes and age groups the program's reports list.

Events still carry `contracts.people.Sex` and the age groups `contracts.people.age_group_at`
computes, so a program may list fewer sexes (the Western Balkans: woman, man) and must list the
seven age groups; what it lists is what registration, correction, a referral's shared minimum
and a group activity's headcounts accept (422 naming the field and the value).
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from contracts.people import Sex
from services.cases.group_activity_requests import HeadcountCell
from services.cases.participant_requests import CorrectRequest, RegisterRequest
from services.referrals.shared_minimum import SharedMinimum
from web.vocabulary import SEXES

PERSON = {
    "given_names": "Ajša",
    "family_names": "Test",
    "estimated_age_years": 30,
    "nationality": "SRB",
}


def _refused(refused: pytest.ExceptionInfo[ValidationError]) -> tuple[tuple[object, ...], str]:
    (error,) = refused.value.errors()
    return error["loc"], error["msg"]


def test_peru_takes_its_three_sexes_and_seven_age_groups_as_before() -> None:
    for sex in ("woman", "man", "non_binary"):
        assert RegisterRequest(**PERSON, sex=sex, region="piura").sex is Sex(sex)
    assert SharedMinimum(sex="non_binary", age_group="older_adults").age_group == "older_adults"
    assert SEXES == ("woman", "man", "non_binary")  # the web's choices: the file's, in order
    with pytest.raises(ValidationError) as refused:
        RegisterRequest(**PERSON, sex="other", region="piura")
    assert _refused(refused)[0] == ("sex",)  # not a value events can carry


@pytest.mark.usefixtures("balkans")
def test_another_program_s_sexes_are_the_ones_its_reports_list() -> None:
    assert RegisterRequest(**PERSON, sex="woman", region="rs_nis").sex is Sex.WOMAN

    with pytest.raises(ValidationError) as refused:
        RegisterRequest(**PERSON, sex="non_binary", region="rs_nis")
    loc, msg = _refused(refused)
    assert loc == ("sex",)
    assert msg == "Value error, unknown sex code 'non_binary'; the program's: man, woman"
    with pytest.raises(ValidationError) as corrected:
        CorrectRequest(reason="document_verified", sex="non_binary")
    assert _refused(corrected)[0] == ("sex",)
    with pytest.raises(ValidationError) as shared:
        SharedMinimum(sex="non_binary")
    assert _refused(shared)[0] == ("sex",)
    with pytest.raises(ValidationError) as headcount:
        HeadcountCell(sex="non_binary", age_group="youth", count=3)
    assert "unknown sex code 'non_binary'" in _refused(headcount)[1]


@pytest.mark.usefixtures("balkans")
def test_the_openapi_schema_lists_the_program_s_sexes() -> None:
    schema = RegisterRequest.model_json_schema()
    sex = schema["properties"]["sex"]
    listed = sex.get("enum") or next(
        (part["enum"] for part in sex.get("allOf", []) + sex.get("anyOf", []) if "enum" in part),
        None,
    )
    assert listed == ["man", "woman"]
