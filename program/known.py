"""Request-model types that accept only the deployment's codes.

Events accept any code of the right shape (history is never re-judged); a command is checked
against the program the service runs, so an unknown code is refused with a 422 that names the
field (pydantic's `loc`) and the code, with the program's codes for that field. The OpenAPI
document lists the program's codes (`enum`), read when the document is generated.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field, StringConstraints

from contracts.codes import (
    CODE_PATTERN,
    Admin2Code,
    AgeGroupCode,
    CaseTypeCode,
    DestinationCode,
    DocumentTypeCode,
    LivelihoodOutcomeCode,
    LivelihoodProgramCode,
    PersonAttributes,
    PopulationTypeCode,
    RegularizationProfileCode,
    ServiceCode,
    TerritoryCode,
    VoucherCoverageCode,
)
from contracts.group_activities import GroupActivityKind
from contracts.people import Sex
from program.load import current_program


def in_program(vocabulary: str) -> Callable[[str], str]:
    """A validator accepting the codes of one vocabulary of the deployment's program."""

    def known(code: str) -> str:
        codes = current_program().codes(vocabulary)
        if code not in codes:
            raise ValueError(
                f"unknown {vocabulary} code {code!r}; the program's: {', '.join(sorted(codes))}"
            )
        return code

    return known


E = TypeVar("E", bound=StrEnum)


def member_in_program(vocabulary: str) -> Callable[[E], E]:
    """`in_program` for a field events still carry as a platform enum (sex, age group): the
    enum's member when the program lists its value (the refusal names the value, not the member)."""
    check = in_program(vocabulary)

    def known(member: E) -> E:
        check(member.value)
        return member

    return known


def _program_currency(currency: str) -> str:
    expected = current_program().currency
    if currency != expected:
        raise ValueError(f"amounts are in the program's currency, {expected}, not {currency!r}")
    return currency


KnownCurrency = Annotated[
    str,
    AfterValidator(_program_currency),
    Field(
        description="The program's currency (ISO 4217); the only one accepted.",
        json_schema_extra=lambda schema: schema.update(enum=[current_program().currency]),
    ),
]
"""The currency of an amount in a request: the program's (default it with `program_currency`)."""


def program_currency() -> str:
    """The running program's currency (a request field's default)."""
    return current_program().currency


def example(vocabulary: str, index: int = 0) -> str:
    """A code of the running program for an OpenAPI example: the `index`-th in file order
    (wrapping around), so examples stay valid for any program. A vocabulary the program leaves
    empty (the Western Balkans' livelihood lines) gives its own name: the request models still
    load, and such a request is refused whatever it says."""
    codes = current_program().ordered(vocabulary)
    return codes[index % len(codes)] if codes else vocabulary


def listed(vocabulary: str) -> Any:
    """Field metadata that lists the program's codes in the OpenAPI document (`enum`)."""

    def add_codes(schema: dict[str, Any]) -> None:
        schema["enum"] = sorted(current_program().codes(vocabulary))

    return Field(json_schema_extra=add_codes)


KnownTerritory = Annotated[
    TerritoryCode, AfterValidator(in_program("territory")), listed("territory")
]
KnownCaseType = Annotated[
    CaseTypeCode, AfterValidator(in_program("case_type")), listed("case_type")
]
KnownService = Annotated[ServiceCode, AfterValidator(in_program("service")), listed("service")]
KnownDestination = Annotated[
    DestinationCode, AfterValidator(in_program("destination")), listed("destination")
]
KnownVoucherCoverage = Annotated[
    VoucherCoverageCode,
    AfterValidator(in_program("voucher_coverage")),
    listed("voucher_coverage"),
]
KnownDocumentType = Annotated[
    DocumentTypeCode, AfterValidator(in_program("document_type")), listed("document_type")
]
KnownLivelihoodProgram = Annotated[
    LivelihoodProgramCode,
    AfterValidator(in_program("livelihood_program")),
    listed("livelihood_program"),
]
KnownLivelihoodOutcome = Annotated[
    LivelihoodOutcomeCode,
    AfterValidator(in_program("livelihood_outcome")),
    listed("livelihood_outcome"),
]
KnownRegularizationProfile = Annotated[
    RegularizationProfileCode,
    AfterValidator(in_program("regularization_profile")),
    listed("regularization_profile"),
]
KnownGroupActivityKind = Annotated[
    GroupActivityKind,
    AfterValidator(in_program("group_activity_kind")),
    listed("group_activity_kind"),
]
KnownTerritoryAtAnyLevel = Annotated[
    str,
    StringConstraints(pattern=CODE_PATTERN),
    AfterValidator(in_program("territories")),
    listed("territories"),
]
"""A territory of the program at any admin level (a municipality, or the country above it)."""

KnownAdmin2 = Annotated[Admin2Code, AfterValidator(in_program("admin2")), listed("admin2")]
"""A territory one level below the recorded one (a province): where inside its region an act
took place (the owning service also checks that it lies inside the act's region)."""

KnownPopulationType = Annotated[
    PopulationTypeCode, AfterValidator(in_program("population_type")), listed("population_type")
]


def _program_attributes(given: dict[str, str]) -> dict[str, str]:
    program = current_program()
    known = {attribute.code for attribute in program.attributes}
    for attribute, value in given.items():
        if attribute not in known:
            raise ValueError(
                f"unknown attribute {attribute!r}; the program's: {', '.join(sorted(known))}"
            )
        in_program(attribute)(value)
    return given


def _attributes_schema(schema: dict[str, Any]) -> None:
    schema["properties"] = {
        attribute.code: {"enum": [value.code for value in attribute.values]}
        for attribute in current_program().attributes
    }


KnownAttributes = Annotated[
    PersonAttributes,
    AfterValidator(_program_attributes),
    Field(json_schema_extra=_attributes_schema),
]
"""Coarse attributes of a person: the program's attribute codes, each with one of its values."""

KnownSex = Annotated[Sex, AfterValidator(member_in_program("sex")), listed("sex")]
"""A sex the program's reports list (`sexes`): events carry `contracts.people.Sex`, so a program
may list fewer (the Western Balkans: woman, man), not others."""

KnownAgeGroup = Annotated[
    AgeGroupCode, AfterValidator(in_program("age_group")), listed("age_group")
]
"""Any age group of the program (`age_groups`), as its code: a group headcount's, a referral's
shared minimum's, so a program's own bands (0-17, 18-59, 60+) can be given."""
