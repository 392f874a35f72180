"""The logframe as data: indicators, targets and counting rules, loaded from YAML and validated.

A logframe file describes one program period. Each indicator says what it counts (people or
cases), its target, and its counting rule: a list of *requirements* that must all hold for a
person (or case), each met by *any* of its event rules. An event rule names an event type and
conditions on the event's fields. Rules are checked against the event models in `contracts`
and the deployment's program file (`program/`: regions, services, destinations...) when the file
is loaded, so a misspelt event type, field, enum value or program code fails at start-up, not
silently at counting time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from enum import Enum, StrEnum
from functools import cached_property
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.codes import field_vocabulary
from contracts.event import Event
from contracts.registry import UnknownEventType, latest_model
from contracts.vocabulary import Region
from program.load import current_program
from program.r4v import R4VActivity
from services.indicators.indirect import IndirectTarget
from services.indicators.life_of_project import ProgramYear, check_years, span_of

DEFAULT_DIRECTORY = Path(__file__).parent / "logframes"


BUILT_IN_DISAGGREGATIONS = ("sex_age", "region", "month")
"""The tables every logframe can have; `dimensions` adds the program's."""


class Unit(StrEnum):
    """What an indicator counts once: a person (merged records are one) or a case."""

    PEOPLE = "people"
    CASES = "cases"


# The field of the counting event that identifies what is counted, per unit.
SUBJECT_FIELD = {Unit.PEOPLE: "participant_id", Unit.CASES: "case_id"}


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Revocation(_Strict):
    """An event that un-counts an earlier act (a reversed voucher redemption)."""

    event: str
    key: str = Field(description="Field of the revoking event naming the act it revokes.")


class EventRule(_Strict):
    """One kind of event that meets a requirement."""

    event: str
    where: dict[str, list[str]] = Field(default_factory=dict)
    act: str | None = Field(default=None, description="Field identifying the act (default: id).")
    revoked_by: Revocation | None = None
    date: str | None = Field(default=None, description="Field with the act's instant.")

    @model_validator(mode="after")
    def _fields_exist(self) -> EventRule:
        model = _model(self.event)
        for field, values in self.where.items():
            _check_values(model, field, values)
        if self.act is not None:
            _field(model, self.act)
        if self.revoked_by is not None:
            _field(_model(self.revoked_by.event), self.revoked_by.key)
        _field(model, self.date_field)
        _field(model, "region")
        return self

    @cached_property
    def date_field(self) -> str:
        """The field holding the act's instant: given, or the event's only `*_at` field."""
        if self.date is not None:
            return self.date
        candidates = [f for f in _model(self.event).model_fields if f.endswith("_at")]
        if len(candidates) != 1:
            raise ValueError(f"{self.event}: name the date field among {candidates}")
        return candidates[0]


class Requirement(_Strict):
    """A condition on a person or case, met by any one of its event rules."""

    name: str
    any_of: list[EventRule] = Field(min_length=1)


LANGUAGES = ("es", "en")
"""The languages of the web app's catalogs (`web/messages/`): Spanish first."""


class Share(_Strict):
    """A target that is a share of the indicator's own figure: "85% Roma", "over 60% women
    and girls". Checked as a share: the subjects with one of `values` in `dimension`, as a
    percent of the subjects counted, against `at_least`."""

    dimension: str = Field(description="`sex`, or a dimension of the logframe's disaggregations.")
    values: list[str] = Field(min_length=1)
    at_least: float = Field(gt=0, le=100, description="Percent of the figure.")


class Milestone(_Strict):
    """A point of an indicator's schedule: by the end of day `by`, `value` counted since the
    period began (cumulative, in the indicator's unit). Between milestones the schedule is
    linear, and after the last one it is linear to `target` on the period's last day."""

    by: date
    value: int = Field(ge=0)


class Indicator(_Strict):
    """A logframe indicator with its target and counting rule."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]{1,20}$")
    title: str
    titles: dict[str, Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict,
        description="The title in each language the pages speak; `title` where one is missing.",
    )
    unit: Unit = Unit.PEOPLE
    target: int = Field(gt=0)
    region_targets: dict[Region, Annotated[int, Field(gt=0)]] = Field(
        default_factory=dict,
        description="Targets for single regions: a figure filtered by region is read against"
        " its region's target, and has none when the region has none.",
    )
    territory_targets: dict[str, Annotated[int, Field(gt=0)]] = Field(
        default_factory=dict,
        description="Targets for territories of any admin level of the program (a country, a"
        " municipality): a figure filtered by that territory is read against it.",
    )
    sex_targets: dict[str, Annotated[int, Field(gt=0)]] = Field(
        default_factory=dict, description="Targets per sex, read against each sex's figure."
    )
    period_targets: dict[str, Annotated[int, Field(gt=0)]] = Field(
        default_factory=dict,
        description="Targets for a program year (`Y1`), quarter (`2020-Q1`) or month"
        " (`2020-03`): the figure of exactly that period is read against it.",
    )
    milestones: list[Milestone] = Field(
        default_factory=list,
        description="The target's schedule (`targets.milestone_pieces`): dates inside the"
        " period in order, cumulative values not decreasing and at most `target`.",
    )
    sensitive: bool = Field(default=False, description="GBV-related: small cells suppressed.")
    requires: list[Requirement] = Field(min_length=1)
    r4v: R4VActivity | None = Field(
        default=None,
        description="Its R4V 5W activity, over the program file's (`Logframe.r4v_activities`).",
    )
    shares: list[Share] = Field(default_factory=list, description="Share targets (`Share`).")

    def title_in(self, language: str) -> str:
        """The title in `language` (`es`, `en`), else the file's `title`."""
        return self.titles.get(language, self.title)

    @model_validator(mode="after")
    def _titles_in_the_pages_languages(self) -> Indicator:
        unknown = sorted(set(self.titles) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"{self.id}: titles.{unknown[0]}: the pages speak {LANGUAGES}")
        return self

    @model_validator(mode="after")
    def _r4v_counts_people(self) -> Indicator:
        if self.r4v is not None and self.unit is not Unit.PEOPLE:
            raise ValueError(f"{self.id}: R4V reports people reached; a {self.unit} indicator")
        return self

    @model_validator(mode="after")
    def _regions_of_the_program(self) -> Indicator:
        known = current_program().codes("territory")
        unknown = sorted(set(self.region_targets) - known)
        if unknown:
            raise ValueError(f"{self.id}: region_targets {unknown} not in {sorted(known)}")
        return self

    @model_validator(mode="after")
    def _breakdowns_of_the_program(self) -> Indicator:
        program = current_program()
        for name, targets, vocabulary in (
            ("territory_targets", self.territory_targets, "territories"),
            ("sex_targets", self.sex_targets, "sex"),
        ):
            unknown = sorted(set(targets) - program.codes(vocabulary))
            if unknown:
                known = sorted(program.codes(vocabulary))
                raise ValueError(f"{self.id}: {name} {unknown} not in {known}")
        twice = sorted(set(self.region_targets) & set(self.territory_targets))
        if twice:
            raise ValueError(f"{self.id}: {twice} in both region_targets and territory_targets")
        return self

    @model_validator(mode="after")
    def _milestones_in_order(self) -> Indicator:
        for before, after in itertools.pairwise(self.milestones):
            if after.by <= before.by or after.value < before.value:
                raise ValueError(
                    f"{self.id}: milestones must go forward in time and never decrease"
                    f" ({before.by}: {before.value}, then {after.by}: {after.value})"
                )
        if self.milestones and self.milestones[-1].value > self.target:
            raise ValueError(f"{self.id}: a milestone above the target ({self.target})")
        return self

    @model_validator(mode="after")
    def _subject_present(self) -> Indicator:
        for requirement in self.requires:
            for rule in requirement.any_of:
                for field in {SUBJECT_FIELD[self.unit], "participant_id"}:
                    _field(_model(rule.event), field)
        return self


class Period(_Strict):
    """The program period a logframe reports on (local dates, both inclusive)."""

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("period end is before its start")
        return self


class Logframe(_Strict):
    """One version of a program's logframe for one period."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$", description="Version id; names storage.")
    program: str
    title: str
    period: Period
    timezone: str = "UTC"
    disaggregations: list[str] = Field(
        default_factory=lambda: list(BUILT_IN_DISAGGREGATIONS),
        description="`sex_age`, `region`, `month`, and any admin level, `population_type` or"
        " attribute of the program (`dimensions`).",
    )
    overall: Indicator | None = None
    indicators: list[Indicator] = Field(min_length=1)
    indirect: IndirectTarget | None = None
    """Indirect participants (group activities' headcounts): a figure of its own, never unique."""

    years: list[ProgramYear] = Field(
        default_factory=list,
        description="Life of project: the years of a phase, each reported in unique people"
        " (`life_of_project`); they cover the period exactly.",
    )

    @model_validator(mode="after")
    def _years_and_period_targets(self) -> Logframe:
        first, last = self.period.start, self.period.end
        check_years(first, last, self.years)
        for i in self.all_indicators:
            spans = {label: span_of(label, first, last, self.years) for label in i.period_targets}
            unknown = sorted(label for label, span in spans.items() if span is None)
            if unknown:
                years = [y.label for y in self.years]
                raise ValueError(
                    f"{i.id}: period_targets {unknown} name no year {years}, quarter (2020-Q1)"
                    " or month (2020-03) inside the period (the whole period is `target`)"
                )
            if len(set(spans.values())) != len(spans):
                raise ValueError(f"{i.id}: period_targets {sorted(spans)} name one period twice")
            outside = [m.by for m in i.milestones if not first <= m.by <= last]
            if outside:
                raise ValueError(f"{i.id}: milestone {outside[0]} outside the period")
            if i.milestones and i.milestones[-1].by == last and i.milestones[-1].value != i.target:
                raise ValueError(f"{i.id}: the period's last day's milestone is the target")
        return self

    @model_validator(mode="after")
    def _r4v_complete(self) -> Logframe:
        reporting = current_program().r4v
        own = [i.id for i in self.all_indicators if i.r4v is not None]
        if own and reporting is None:
            raise ValueError(f"indicators {own} map to R4V but the program file has no `r4v:`")
        mapped = set(reporting.indicators) if reporting is not None else set()
        for i in self.all_indicators:
            if i.id in mapped and i.unit is not Unit.PEOPLE:
                raise ValueError(f"{i.id}: R4V reports people reached; a {i.unit} indicator")
        return self

    def r4v_activities(self) -> dict[str, R4VActivity]:
        """Each indicator reported in the R4V 5W, by id, in logframe order: the program file's
        mapping for the ids this logframe has (ids it lacks are another logframe's), an
        indicator's own `r4v:` taking precedence. Empty: the logframe has no 5W."""
        reporting = current_program().r4v
        program = reporting.indicators if reporting is not None else {}
        found = {i.id: i.r4v or program.get(i.id) for i in self.all_indicators}
        return {key: activity for key, activity in found.items() if activity is not None}

    @model_validator(mode="after")
    def _dimensions_of_the_program(self) -> Logframe:
        program = current_program()
        levels = {unit.level for unit in program.territories.reported()}
        known = {
            *BUILT_IN_DISAGGREGATIONS, "population_type", *levels,
            *(a.code for a in program.attributes),
        }  # fmt: skip
        unknown = [d for d in self.disaggregations if d not in known]
        if unknown or len(set(self.disaggregations)) != len(self.disaggregations):
            raise ValueError(f"disaggregations {unknown or self.disaggregations}: {sorted(known)}")
        shared = {"sex"} | (set(self.disaggregations) - set(BUILT_IN_DISAGGREGATIONS))
        for indicator in self.all_indicators:
            for share in indicator.shares:
                if share.dimension not in shared:
                    raise ValueError(
                        f"{indicator.id}: a share of {share.dimension!r}: name one of"
                        f" {sorted(shared)}"
                    )
                vocabulary = "territories" if share.dimension in levels else share.dimension
                wrong = set(share.values) - program.codes(vocabulary)
                if wrong:
                    raise ValueError(f"{indicator.id}: share values {sorted(wrong)} unknown")
        return self

    @model_validator(mode="after")
    def _unique_ids(self) -> Logframe:
        ids = [i.id for i in self.all_indicators]
        if len(ids) != len(set(ids)):
            raise ValueError(f"indicator ids repeat: {ids}")
        ZoneInfo(self.timezone)
        return self

    @property
    def all_indicators(self) -> list[Indicator]:
        """The overall target first (when any), then the indicators in file order."""
        return ([self.overall] if self.overall else []) + list(self.indicators)

    def indicator(self, indicator_id: str) -> Indicator | None:
        """The indicator with this id, or None."""
        return next((i for i in self.all_indicators if i.id == indicator_id), None)

    @property
    def zone(self) -> ZoneInfo:
        """The program's time zone: acts are dated (month, period) in local time."""
        return ZoneInfo(self.timezone)


def load_logframe(path: Path) -> Logframe:
    """Read and validate one logframe file; raise `ValueError` naming the file when invalid."""
    try:
        return Logframe.model_validate(yaml.safe_load(path.read_text()))
    except ValueError as error:
        raise ValueError(f"{path.name}: {error}") from error


def load_directory(directory: Path = DEFAULT_DIRECTORY) -> dict[str, Logframe]:
    """Every `*.yaml` logframe of a directory, by key.

    A file with `based_on: <key>` takes everything from that logframe of the same directory and
    overrides the top-level entries it gives (a new key, another period, a title): a version
    that differs in one place is written as that one difference.
    """
    raw = {path: yaml.safe_load(path.read_text()) for path in sorted(directory.glob("*.yaml"))}
    by_key = {doc.get("key"): doc for doc in raw.values() if isinstance(doc, dict)}
    found: dict[str, Logframe] = {}
    for path, doc in raw.items():
        if isinstance(doc, dict) and "based_on" in doc:
            base = by_key.get(doc["based_on"])
            if base is None or "based_on" in base:
                wanted = doc["based_on"]
                raise ValueError(f"{path.name}: based_on {wanted!r} is not a base logframe")
            doc = {**base, **{k: v for k, v in doc.items() if k != "based_on"}}
        try:
            logframe = Logframe.model_validate(doc)
        except ValueError as error:
            raise ValueError(f"{path.name}: {error}") from error
        if logframe.key in found:
            raise ValueError(f"{path.name}: logframe key {logframe.key!r} is used twice")
        found[logframe.key] = logframe
    return found


def _model(event_type: str) -> type[Event]:
    try:
        return latest_model(event_type)
    except UnknownEventType:
        raise ValueError(f"unknown event type {event_type!r}") from None


def _field(model: type[Event], field: str) -> Any:
    if field not in model.model_fields:
        raise ValueError(f"{model.event_type} has no field {field!r}")
    return model.model_fields[field].annotation


def _check_values(model: type[Event], field: str, values: list[str]) -> None:
    enums = [
        t for t in _flatten(_field(model, field)) if isinstance(t, type) and issubclass(t, Enum)
    ]
    for enum in enums:
        allowed = {str(member.value) for member in enum}
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValueError(f"{model.event_type}.{field}: {unknown} not in {sorted(allowed)}")
    vocabulary = field_vocabulary(model.model_fields[field])
    if vocabulary is not None:
        known = current_program().codes(vocabulary)
        unknown = [v for v in values if v not in known]
        if unknown:
            raise ValueError(
                f"{model.event_type}.{field}: {unknown} not in the program's {sorted(known)}"
            )
    if not values:
        raise ValueError(f"{model.event_type}.{field}: no values given")


def _flatten(annotation: Any) -> list[Any]:
    if get_origin(annotation) in (Union, UnionType):
        return [t for arg in get_args(annotation) for t in _flatten(arg)]
    return [annotation]


def r4v_ids_unused(logframes: Iterable[Logframe]) -> list[str]:
    """The program file's R4V indicator ids that none of `logframes` has: reported nowhere by
    this deployment (another phase's indicator, or a typo), so start-up names them."""
    reporting = current_program().r4v
    if reporting is None:
        return []
    present = {i.id for lf in logframes for i in lf.all_indicators}
    return sorted(set(reporting.indicators) - present)
