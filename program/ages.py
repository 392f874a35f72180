"""The program's age groups as bands of whole years: which band an age falls in, and its span.

A program file lists its age groups (`age_groups`) each with the age it starts `from`; a band
runs to the year before the next band's `from`, the last one has no end. The age of a person is
computed at the date of each act from the birth month only (`contracts.people.age_at`), so the
reports give the age at the time of the service in the bands of the program that reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from contracts.people import age_at
from program.model import AgeBand, Program

ADULT_AGE = 18
"""The age R4V's groups count adults from (women and men; girls and boys below it)."""


def band_of(bands: Sequence[AgeBand], age: int) -> str:
    """The code of the band `age` (whole years) falls in: the last one starting at or below it."""
    found = bands[0].code
    for band in bands:
        if band.from_age <= age:
            found = band.code
    return found


def age_group_at(program: Program, birth_year_month: str, on: date) -> str:
    """The program's age group on `on` of a person born in `birth_year_month` (YYYY-MM).

    Raises `ValueError` for a malformed month or a date before the birth month (`age_at`).
    """
    return band_of(program.age_groups, age_at(birth_year_month, on))


def span(bands: Sequence[AgeBand], code: str) -> tuple[int, int | None]:
    """The first and last age (whole years) of the band `code`; None: no upper bound."""
    for place, band in enumerate(bands):
        if band.code == code:
            following = bands[place + 1].from_age - 1 if place + 1 < len(bands) else None
            return band.from_age, following
    raise KeyError(f"the program has no age group {code!r}")


def minors(bands: Sequence[AgeBand]) -> frozenset[str]:
    """The bands whose every age is under `ADULT_AGE` (R4V's girls and boys)."""
    return frozenset(
        b.code for b in bands if (last := span(bands, b.code)[1]) is not None and last < ADULT_AGE
    )
