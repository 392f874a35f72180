"""Disaggregations beyond sex, age, region and month: any dimension the program file defines.

A logframe's `disaggregations` may name, besides the built-in `sex_age`, `region` and `month`:

- a coarse attribute of the program (`ethnicity`, `disability`...): the person's value, as
  registered or last corrected (`AttributeSet`, last write wins);
- `population_type`: the person's population type, recorded the same way;
- an admin level of the program's territories (`country`): the territory at that level
  containing the territory the counting act was recorded in (derived from the program's tree).

Each counted subject carries one value per dimension, in the logframe's order (`Counted.dims`,
`Candidate.dims`); a person with no value recorded is `unknown`. Tables are sex rows by the
dimension's values. A dimension is sensitive when its attribute is (`Attribute.sensitive`):
its tables are published under the small-cell rule in every view but the exact one
(`suppression`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from program.load import current_program
from program.model import Labels, Program
from services.indicators.logframe import BUILT_IN_DISAGGREGATIONS, Logframe
from services.indicators.people import UNKNOWN

POPULATION_TYPE = "population_type"


class HasAttributes(Protocol):
    """What a dimension reads of a person (`people.Disaggregation`)."""

    def attribute(self, person: str, name: str) -> str | None: ...


@dataclass(frozen=True)
class Dimension:
    """One disaggregation of the program: its values (codes in file order) and labels."""

    code: str
    kind: Literal["attribute", "population_type", "level"]
    labels: Labels
    values: tuple[str, ...]
    value_labels: dict[str, Labels]
    sensitive: bool
    within: dict[str, str] = field(default_factory=dict)
    """For a level: each recorded territory's code to the code of its territory at the level."""

    def value(self, people: HasAttributes, person: str, region: str) -> str:
        """The subject's value: its person's attribute, or its act's territory at the level."""
        if self.kind == "level":
            return self.within.get(region, UNKNOWN)
        return people.attribute(person, self.code) or UNKNOWN


def offered(program: Program) -> dict[str, Dimension]:
    """Every dimension a logframe of this program may disaggregate by, by name."""
    found: dict[str, Dimension] = {}
    territories = program.territories
    parent = {unit.code: unit.parent for unit in territories.units}
    level_of = {unit.code: unit.level for unit in territories.units}
    read_by = {unit.level for unit in territories.reported()}
    for level in territories.levels:
        if level.code in BUILT_IN_DISAGGREGATIONS or level.code not in read_by:
            continue  # `region`: the recorded territory, a built-in table; admin2: not counted
        within: dict[str, str] = {}
        for unit in program.recorded():
            code: str | None = unit.code
            while code is not None and level_of.get(code) != level.code:
                code = parent.get(code)
            if code is not None:
                within[unit.code] = code
        units = territories.at(level.code)
        found[level.code] = Dimension(
            level.code, "level", level.labels, tuple(u.code for u in units),
            {u.code: u.labels for u in units}, sensitive=False, within=within,
        )  # fmt: skip
    types = program.population_types
    found[POPULATION_TYPE] = Dimension(
        POPULATION_TYPE, "population_type", Labels(es="Tipo de población", en="Population type"),
        tuple(t.code for t in types), {t.code: t.labels for t in types}, sensitive=False,
    )  # fmt: skip
    for attribute in program.attributes:
        found[attribute.code] = Dimension(
            attribute.code, "attribute", attribute.labels,
            tuple(v.code for v in attribute.values), {v.code: v.labels for v in attribute.values},
            sensitive=attribute.sensitive,
        )  # fmt: skip
    return found


_CONTAINING: dict[int, tuple[Program, dict[str, tuple[str, ...]]]] = {}


def containing() -> dict[str, tuple[str, ...]]:
    """Each recorded territory's code to the codes of the territories above it in the running
    program (its country): a figure filtered by one of those counts the acts recorded inside
    it. Cached per program."""
    program = current_program()
    cached = _CONTAINING.get(id(program))
    if cached is None or cached[0] is not program:
        cached = _CONTAINING[id(program)] = (program, _containing(program))
    return cached[1]


def _containing(program: Program) -> dict[str, tuple[str, ...]]:
    parent = {unit.code: unit.parent for unit in program.territories.units}
    found: dict[str, tuple[str, ...]] = {}
    for unit in program.recorded():
        above, code = [], parent.get(unit.code)
        while code is not None:
            above.append(code)
            code = parent.get(code)
        found[unit.code] = tuple(above)
    return found


_OF: dict[int, tuple[Logframe, tuple[Dimension, ...]]] = {}


def dimensions_of(logframe: Logframe) -> tuple[Dimension, ...]:
    """The logframe's dimensions beyond the built-in ones, in its order (cached per logframe)."""
    cached = _OF.get(id(logframe))
    if cached is None or cached[0] is not logframe:
        program = offered(current_program())
        named = [d for d in logframe.disaggregations if d not in BUILT_IN_DISAGGREGATIONS]
        cached = _OF[id(logframe)] = (logframe, tuple(program[d] for d in named))
    return cached[1]


def values_of(
    dimensions: tuple[Dimension, ...], people: HasAttributes, person: str, region: str
) -> tuple[str, ...]:
    """A counted subject's value in each dimension."""
    return tuple(d.value(people, person, region) for d in dimensions)
