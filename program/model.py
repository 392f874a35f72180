"""The program file's model: one deployment's vocabulary, validated when it is loaded.

A program names its territories (admin levels from the top down), the kinds of cases it opens,
the sexes and age groups of its reports, the services it delivers, the institutions it refers
people to, what its vouchers may cover, its currency, the population types of inter-agency
reporting, further coarse attributes a person may have, the identity documents people show, its
livelihood lines and their outcomes, its migratory regularization profiles, and optionally its
R4V 5W reporting (`program.r4v`). Every list is of codes with a label per language; a code is
what events carry, a label is only shown, so changing a label changes no event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from itertools import pairwise
from typing import Annotated, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from contracts.codes import CODE_PATTERN
from contracts.people import Sex
from contracts.vocabulary import Urgency
from program.r4v import R4V

Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
T = TypeVar("T", bound="Term")
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]

AssistanceKind = Literal[
    "medical", "legal", "psychosocial", "protection", "health_insurance", "regularization",
    "material", "cash", "information", "education",
]  # fmt: skip
"""What kind of help a service is (the logframes count medical, legal and psychosocial)."""

ShareableField = Literal[
    "full_name", "contact_phone", "preferred_contact_time", "document_type", "document_number",
    "age_group", "sex", "pregnant",
]  # fmt: skip
"""The personal data a referral may pass to a destination (the referrals service's shared
minimum); a destination receives only those its entry lists."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Labels(_Strict):
    """A text in each language of the program's screens and reports."""

    es: Label
    en: Label


class Term(_Strict):
    """A code and its labels."""

    code: Code
    labels: Labels


class AdminLevel(Term):
    """One level of the territories, e.g. region, or country then municipality."""


class Territory(Term):
    """A territory at one admin level, inside its `parent` of the level above."""

    level: Code
    parent: Code | None = None


class Territories(_Strict):
    """Admin levels from the top down, the territories, and the level acts are recorded at.

    At most one level may lie below `recorded_at`: its territories (admin2 when acts are
    recorded at admin1: Peru's provinces) are what an act may name as its `admin2`, inside its
    region; figures are never filtered by them (`reported`)."""

    levels: list[AdminLevel] = Field(min_length=1)
    recorded_at: Code = Field(description="The level whose codes events carry as `region`.")
    units: list[Territory] = Field(min_length=1)

    @field_validator("levels", "units")
    @classmethod
    def _unique(cls, terms: list[Term]) -> list[Term]:
        return unique(terms)

    @model_validator(mode="after")
    def _tree(self) -> Territories:
        levels = [level.code for level in self.levels]
        if self.recorded_at not in levels:
            raise ValueError(f"recorded_at: unknown level {self.recorded_at!r} (levels: {levels})")
        level_of = {unit.code: unit.level for unit in self.units}
        for unit in self.units:
            if unit.level not in levels:
                raise ValueError(f"territory {unit.code!r}: unknown level {unit.level!r}")
            depth = levels.index(unit.level)
            above = levels[depth - 1] if depth else None
            if above is None and unit.parent is not None:
                raise ValueError(f"territory {unit.code!r}: a {unit.level} has no parent")
            if above is not None and level_of.get(unit.parent or "") != above:
                raise ValueError(
                    f"territory {unit.code!r}: parent {unit.parent!r} is not a known {above}"
                )
        if len(levels) - levels.index(self.recorded_at) > 2:
            raise ValueError(f"recorded_at: at most one level below {self.recorded_at!r}")
        return self

    def at(self, level: str) -> list[Territory]:
        """The territories of one level, in file order."""
        return [unit for unit in self.units if unit.level == level]

    def reported(self) -> list[Territory]:
        """The territories figures are read by: every level down to `recorded_at`."""
        levels = [level.code for level in self.levels]
        shown = set(levels[: levels.index(self.recorded_at) + 1])
        return [unit for unit in self.units if unit.level in shown]

    def admin2(self) -> list[Territory]:
        """The territories one level below `recorded_at` (an act's optional `admin2`)."""
        levels = [level.code for level in self.levels]
        below = levels[levels.index(self.recorded_at) + 1 :]
        return self.at(below[0]) if below else []


class AgeBand(Term):
    """An age group of the reports: age in whole years from `from_age` (to the next band's)."""

    from_age: int = Field(ge=0, le=120, alias="from")


class Service(Term):
    """A service the program itself delivers."""

    assistance: AssistanceKind
    paid: bool = Field(default=False, description="Its delivery records the amount paid.")
    max_stay_days: int | None = Field(
        default=None, gt=0, description="Delivered per day in stays of at most this many days."
    )


class Destination(Term):
    """A kind of institution people are referred to, what it may receive, when it must answer."""

    receives: list[ShareableField] = Field(default_factory=list)
    answer_hours: dict[Urgency, Annotated[float, Field(gt=0)]] = Field(
        default_factory=lambda: {Urgency.ROUTINE: 120.0, Urgency.URGENT: 48.0},
        description="Hours a unit has to answer, per urgency (missing urgencies: 120 and 48).",
    )

    @field_validator("receives")
    @classmethod
    def _receives_once(cls, fields: list[str]) -> list[str]:
        repeated = sorted(f for f, n in Counter(fields).items() if n > 1)
        if repeated:
            raise ValueError(f"fields repeat: {repeated}")
        return fields

    def hours(self, urgency: Urgency) -> float:
        """The answer deadline for `urgency`, in hours."""
        return self.answer_hours.get(urgency, 48.0 if urgency is Urgency.URGENT else 120.0)


class CaseKind(Term):
    """A kind of case (the flow it follows): what opening one needs, whose reads are audited."""

    regularization: bool = Field(
        default=False,
        description="Opening one needs a `regularization_profile` (and only these take one).",
    )
    sensitive: bool = Field(
        default=False, description="Every read of one is audited (GBV, mental health...)."
    )


OutcomeCondition = Literal["work_started_six_months_before", "within_six_months_of_training"]
"""What an outcome needs first: work started (an outcome marked `starts_work`) at least six
months before, or the line's training finished at most six months before."""


class LivelihoodOutcomeKind(Term):
    """A follow-up outcome of the livelihood lines, and what recording it needs."""

    starts_work: bool = Field(
        default=False, description="Counts as work started (employment, self-employment)."
    )
    needs: OutcomeCondition | None = Field(
        default=None, description="An earlier fact the outcome needs; None: nothing."
    )


class Attribute(Term):
    """A coarse attribute a person may have (disability, nationality, ethnicity...)."""

    sensitive: bool = Field(description="Counts by it are suppressed in small cells.")
    values: list[Term] = Field(min_length=1)

    @field_validator("values")
    @classmethod
    def _unique(cls, terms: list[Term]) -> list[Term]:
        return unique(terms)


DEFAULT_SEXES = [
    Term(code="woman", labels=Labels(es="Mujer", en="Woman")),
    Term(code="man", labels=Labels(es="Hombre", en="Man")),
    Term(code="non_binary", labels=Labels(es="No binario", en="Non-binary")),
]


def _band(code: str, from_age: int, es: str, en: str) -> AgeBand:
    return AgeBand(code=code, from_age=from_age, labels=Labels(es=es, en=en))


DEFAULT_AGE_GROUPS = [
    _band("early_childhood", 0, "Primera infancia", "Early childhood"),
    _band("childhood", 6, "Niñez", "Childhood"),
    _band("adolescence", 12, "Adolescencia", "Adolescence"),
    _band("youth", 18, "Jóvenes", "Youth"),
    _band("young_adults", 30, "Adultos/as jóvenes", "Young adults"),
    _band("adults", 45, "Adultos/as", "Adults"),
    _band("older_adults", 60, "Adultos/as mayores", "Older adults"),
]  # fmt: skip
"""The seven age groups of the reports (domain brief, section 3)."""

DEFAULT_POPULATION_TYPES = [
    Term(code="in_destination", labels=Labels(es="En destino", en="In destination")),
    Term(code="in_transit", labels=Labels(es="En tránsito", en="In transit")),
    Term(code="pendular", labels=Labels(es="Pendular", en="Pendular")),
    Term(code="host_community", labels=Labels(es="Comunidad de acogida", en="Host community")),
    Term(code="returnees", labels=Labels(es="Retornados/as", en="Returnees")),
]
"""R4V's five population types (domain brief, section 9)."""

_WORK_STARTED_BEFORE = "work_started_six_months_before"

NO_DOCUMENT = "none"
"""The document type of a person registered without one (every program lists it)."""

DEFAULT_DOCUMENT_TYPES = [
    Term(code="passport", labels=Labels(es="Pasaporte", en="Passport")),
    Term(code="other", labels=Labels(es="Otro", en="Other")),
    Term(code=NO_DOCUMENT, labels=Labels(es="Ninguno", en="None")),
]
"""Document types of a program file that lists none: any country's passport, other, none."""


class Program(_Strict):
    """One deployment's vocabulary (the program file)."""

    code: Code
    title: Labels
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    currency_sign: Annotated[str, StringConstraints(min_length=1, max_length=5)] | None = Field(
        default=None, description="Written before amounts on screens (S/, €); None: the code."
    )
    timezone: str = Field(default="UTC", description="Where acts are dated: an IANA zone.")
    start: date | None = Field(
        default=None,
        description="The phase's first day: no act happened before it (None: no such bound).",
    )
    territories: Territories
    case_types: list[CaseKind] = Field(
        default_factory=list, description="Kinds of cases; none listed, no case can open."
    )
    sexes: list[Term] = Field(default_factory=lambda: list(DEFAULT_SEXES))
    age_groups: list[AgeBand] = Field(default_factory=lambda: list(DEFAULT_AGE_GROUPS))
    services: list[Service] = Field(min_length=1)
    referral_destinations: list[Destination] = Field(default_factory=list)
    voucher_coverage: list[Term] = Field(default_factory=list)
    population_types: list[Term] = Field(default_factory=lambda: list(DEFAULT_POPULATION_TYPES))
    attributes: list[Attribute] = Field(default_factory=list)
    document_types: list[Term] = Field(
        default_factory=lambda: list(DEFAULT_DOCUMENT_TYPES),
        description=f"Identity documents people show; must include `{NO_DOCUMENT}`.",
    )
    livelihood_programs: list[Term] = Field(default_factory=list)
    livelihood_outcomes: list[LivelihoodOutcomeKind] = Field(
        default_factory=list, description="Follow-up outcomes; none listed, none can be recorded."
    )
    regularization_profiles: list[Term] = Field(default_factory=list)
    group_activity_kinds: list[Term] = Field(
        default_factory=list,
        description="Kinds of group activities counted by headcount (indirect participants).",
    )
    r4v: R4V | None = Field(
        default=None, description="R4V 5W reporting (`program.r4v`); None: no 5W report."
    )

    @field_validator(
        "case_types", "sexes", "age_groups", "services", "referral_destinations",
        "voucher_coverage", "population_types", "attributes", "document_types",
        "livelihood_programs", "livelihood_outcomes", "regularization_profiles",
        "group_activity_kinds",
    )  # fmt: skip
    @classmethod
    def _unique(cls, terms: list[Term]) -> list[Term]:
        return unique(terms)

    @model_validator(mode="after")
    def _r4v_population_type_known(self) -> Program:
        if self.r4v is not None and self.r4v.population_type not in self.codes("population_type"):
            known = self.ordered("population_type")
            raise ValueError(f"r4v.population_type: {self.r4v.population_type!r} not in {known}")
        return self

    @model_validator(mode="after")
    def _profiles_for_regularization(self) -> Program:
        needing = [kind.code for kind in self.case_types if kind.regularization]
        if needing and not self.regularization_profiles:
            raise ValueError(f"case_types {needing} need a regularization profile: none listed")
        return self

    @model_validator(mode="after")
    def _work_started_before_kept(self) -> Program:
        kept = [o.code for o in self.livelihood_outcomes if o.needs == _WORK_STARTED_BEFORE]
        if kept and not any(o.starts_work for o in self.livelihood_outcomes):
            raise ValueError(
                f"livelihood_outcomes {kept} need work started: no outcome starts_work"
            )
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"unknown time zone {zone!r}") from None
        return zone

    @field_validator("sexes")
    @classmethod
    def _sexes_events_carry(cls, sexes: list[Term]) -> list[Term]:
        # Events still carry `contracts.people.Sex`: a program may name fewer, not others.
        unknown = [s.code for s in sexes if s.code not in {m.value for m in Sex}]
        if unknown:
            raise ValueError(
                f"{unknown} not among the sexes events carry ({[m.value for m in Sex]})"
            )
        return sexes

    @field_validator("age_groups")
    @classmethod
    def _age_groups_are_bands(cls, bands: list[AgeBand]) -> list[AgeBand]:
        # Every age falls in exactly one band: the first starts at 0, each next one later.
        starts = [b.from_age for b in bands]
        if not bands or starts[0] != 0:
            raise ValueError(f"the first age group must start from 0 (got {starts[:1] or 'none'})")
        unordered = [
            f"{b.code} (from {b.from_age})" for a, b in pairwise(bands) if b.from_age <= a.from_age
        ]
        if unordered:
            raise ValueError(
                f"age groups must start at ascending ages; not after the one before: {unordered}"
            )
        return bands

    @field_validator("document_types")
    @classmethod
    def _no_document_listed(cls, documents: list[Term]) -> list[Term]:
        # A registration without a document records `none` (the forms' default answer).
        if NO_DOCUMENT not in {d.code for d in documents}:
            raise ValueError(f"must include {NO_DOCUMENT!r} (a person with no document)")
        return documents

    def money_sign(self) -> str:
        """What screens write before an amount: `currency_sign`, else the currency's code."""
        return self.currency_sign or self.currency

    def recorded(self) -> list[Territory]:
        """The territories acts are recorded at (their codes are events' `region`), in order."""
        return self.territories.at(self.territories.recorded_at)

    def codes(self, vocabulary: str) -> frozenset[str]:
        """The codes of one vocabulary: `territory` (at the recorded level), `territories` (every
        level down to the recorded one), `admin2` (the level below it), `case_type`, `service`,
        `destination`, `voucher_coverage`, `sex`, `age_group`, `population_type`,
        `document_type`, `livelihood_program`, `livelihood_outcome`, `regularization_profile`,
        `group_activity_kind`, or an attribute's code (its values)."""
        return frozenset(self.ordered(vocabulary))

    def ordered(self, vocabulary: str) -> list[str]:
        """The codes of one vocabulary (as `codes`), in file order."""
        return [term.code for term in self.terms(vocabulary)]

    def terms(self, vocabulary: str) -> list[Term]:
        """The codes of one vocabulary (as `codes`) with their labels, in file order."""
        lists: dict[str, Iterable[Term]] = {
            "territory": self.recorded(),
            "territories": self.territories.reported(),
            "admin2": self.territories.admin2(),
            "case_type": self.case_types,
            "service": self.services,
            "destination": self.referral_destinations,
            "voucher_coverage": self.voucher_coverage,
            "sex": self.sexes,
            "age_group": self.age_groups,
            "population_type": self.population_types,
            "document_type": self.document_types,
            "livelihood_program": self.livelihood_programs,
            "livelihood_outcome": self.livelihood_outcomes,
            "regularization_profile": self.regularization_profiles,
            "group_activity_kind": self.group_activity_kinds,
            **{attribute.code: attribute.values for attribute in self.attributes},
        }
        if vocabulary not in lists:
            raise KeyError(f"no vocabulary {vocabulary!r} (known: {sorted(lists)})")
        return list(lists[vocabulary])

    def admin2_within(self, code: str, region: str) -> bool:
        """Whether `code` is an admin2 territory inside the recorded territory `region`."""
        return any(u.code == code and u.parent == region for u in self.territories.admin2())

    def service(self, code: str) -> Service:
        """The service with this code (KeyError when the program has none)."""
        return _by_code(self.services, code, "service")

    def case_type(self, code: str) -> CaseKind:
        """The case type with this code (KeyError when the program has none)."""
        return _by_code(self.case_types, code, "case type")

    def livelihood_outcome(self, code: str) -> LivelihoodOutcomeKind:
        """The livelihood outcome with this code (KeyError when the program has none)."""
        return _by_code(self.livelihood_outcomes, code, "livelihood outcome")

    def destination(self, code: str) -> Destination:
        """The referral destination with this code (KeyError when the program has none)."""
        return _by_code(self.referral_destinations, code, "referral destination")


def unique(terms: list[T]) -> list[T]:
    """`terms` when no code repeats; else ValueError naming the repeated codes."""
    repeated = sorted(code for code, n in Counter(t.code for t in terms).items() if n > 1)
    if repeated:
        raise ValueError(f"duplicate codes: {repeated}")
    return terms


def _by_code(terms: list[T], code: str, what: str) -> T:
    for term in terms:
        if term.code == code:
            return term
    raise KeyError(f"the program has no {what} {code!r}")
