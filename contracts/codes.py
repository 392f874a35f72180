"""Program codes: the words a deployment's program file defines (territories, services, ...).

Events carry these as strings of a fixed shape, not as Python enums, so another program (other
countries, other services) needs a data file and no code. Each type names, in its metadata, the
vocabulary of the program file its values come from (`Vocabulary`): the owning service checks a
command's codes against the program, and a logframe's conditions are checked against it at load.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints
from pydantic.fields import FieldInfo

CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,39}$"
"""A program code: a letter, then letters, digits and underscores (e.g. `north`, `SHELTER`)."""


@dataclass(frozen=True)
class Vocabulary:
    """Names the program-file list a code field draws from (`Program.codes(name)`)."""

    name: str


_SHAPE = StringConstraints(pattern=CODE_PATTERN)
Code = Annotated[str, _SHAPE]
"""A string of a program code's shape; each code type below adds its description and the
vocabulary it draws from (a nested `Annotated` is the same type, flattened, to pydantic and mypy).
"""

TerritoryCode = Annotated[
    Code,
    Field(description="A territory of the program, at the level acts are recorded."),
    Vocabulary("territory"),
]
Admin2Code = Annotated[
    Code,
    Field(
        description="The territory one level below the act's `region` (admin2: a province)"
        " where the act took place; not given when not known."
    ),
    Vocabulary("admin2"),
]
ServiceCode = Annotated[
    Code, Field(description="A service the program delivers."), Vocabulary("service")
]
DestinationCode = Annotated[
    Code,
    Field(description="A kind of institution the program refers people to."),
    Vocabulary("destination"),
]
VoucherCoverageCode = Annotated[
    Code,
    Field(description="Something a voucher of the program may cover."),
    Vocabulary("voucher_coverage"),
]
DocumentTypeCode = Annotated[
    Code,
    Field(description="A kind of identity document of the program."),
    Vocabulary("document_type"),
]
LivelihoodProgramCode = Annotated[
    Code, Field(description="A livelihood line of the program."), Vocabulary("livelihood_program")
]
RegularizationProfileCode = Annotated[
    Code,
    Field(description="A migratory regularization profile of the program."),
    Vocabulary("regularization_profile"),
]
CaseTypeCode = Annotated[
    Code,
    Field(description="A kind of case of the program: the flow it follows."),
    Vocabulary("case_type"),
]
AgeGroupCode = Annotated[
    Code,
    Field(description="An age group of the program's reports: a band of ages at the act."),
    Vocabulary("age_group"),
]
LivelihoodOutcomeCode = Annotated[
    Code,
    Field(description="A follow-up outcome of the program's livelihood lines."),
    Vocabulary("livelihood_outcome"),
]


PopulationTypeCode = Annotated[
    Code,
    Field(description="The person's population type (R4V's: in destination, in transit...)."),
    Vocabulary("population_type"),
]


def _sorted_keys(values: dict[str, str]) -> dict[str, str]:
    # A canonical order makes equal attribute sets serialise to equal bytes.
    return dict(sorted(values.items()))


PersonAttributes = Annotated[
    dict[Code, Code],
    Field(
        max_length=16,
        description="Coarse attributes by the program's attribute code (`ethnicity`,"
        " `disability`...), each a code of that attribute's values; never free text.",
    ),
    AfterValidator(_sorted_keys),
]
"""A person's coarse attributes: attribute code to value code, both checked by the owning
service against the program (`Program.attributes`)."""


def _sorted_unique(values: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(values)) != len(values):
        raise ValueError("items must be unique")
    # A canonical order makes equal sets serialise to equal bytes (as contracts.scalars.EnumSet).
    return tuple(sorted(values))


_UNIQUE_ITEMS = Field(json_schema_extra={"uniqueItems": True})

DestinationSet = Annotated[
    tuple[DestinationCode, ...], AfterValidator(_sorted_unique), _UNIQUE_ITEMS
]
"""A set of destination codes: unique, serialised as a sorted JSON array."""

VoucherCoverageSet = Annotated[
    tuple[VoucherCoverageCode, ...],
    Field(min_length=1),
    AfterValidator(_sorted_unique),
    _UNIQUE_ITEMS,
]
"""A set of at least one voucher coverage code."""


def field_vocabulary(field: FieldInfo) -> str | None:
    """The program vocabulary a model field draws its codes from, or None."""
    for item in field.metadata:
        if isinstance(item, Vocabulary):
            return item.name
    return vocabulary_of(field.annotation)


def vocabulary_of(annotation: Any) -> str | None:
    """The program vocabulary an annotation draws from (looking inside `X | None` and tuples),
    or None when it is not a program code."""
    for item in getattr(annotation, "__metadata__", ()):
        if isinstance(item, Vocabulary):
            return item.name
    for arg in getattr(annotation, "__args__", ()):
        found = vocabulary_of(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    return vocabulary_of(origin) if origin is not None and origin is not annotation else None
