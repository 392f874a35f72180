"""The coarse attributes of a person that reports are disaggregated by: sex and age group.

Events never carry a date of birth, only the birth month (``YYYY-MM``); the age group is computed
at the date of each act, because the logframe reports the age at the time of the service.
"""

from datetime import date
from enum import StrEnum


class Sex(StrEnum):
    """Sex/gender category used in every report."""

    WOMAN = "woman"
    MAN = "man"
    NON_BINARY = "non_binary"


class AgeGroup(StrEnum):
    """Age groups of the program's reports (age at the time of the service)."""

    EARLY_CHILDHOOD = "early_childhood"
    CHILDHOOD = "childhood"
    ADOLESCENCE = "adolescence"
    YOUTH = "youth"
    YOUNG_ADULTS = "young_adults"
    ADULTS = "adults"
    OLDER_ADULTS = "older_adults"


# Lowest age (in whole years) of each group, in ascending order.
_AGE_GROUP_FLOORS: tuple[tuple[int, AgeGroup], ...] = (
    (0, AgeGroup.EARLY_CHILDHOOD),
    (6, AgeGroup.CHILDHOOD),
    (12, AgeGroup.ADOLESCENCE),
    (18, AgeGroup.YOUTH),
    (30, AgeGroup.YOUNG_ADULTS),
    (45, AgeGroup.ADULTS),
    (60, AgeGroup.OLDER_ADULTS),
)


class VulnerabilityProfile(StrEnum):
    """Priority vulnerability profiles of the program (coarse flags, no narrative)."""

    IRREGULAR_MIGRATORY_STATUS = "irregular_migratory_status"
    RISK_OF_VIOLENCE = "risk_of_violence"
    SURVIVOR_OF_VIOLENCE = "survivor_of_violence"
    RECRUITMENT_BY_CRIMINAL_GROUPS = "recruitment_by_criminal_groups"
    TRAFFICKING_OR_SMUGGLING = "trafficking_or_smuggling"
    LABOUR_EXPLOITATION = "labour_exploitation"
    CHILD_LABOUR = "child_labour"
    BEGGING = "begging"
    PREGNANT_OR_LACTATING = "pregnant_or_lactating"
    PREGNANT_ADOLESCENT = "pregnant_adolescent"
    MOTHER_OF_YOUNG_CHILDREN = "mother_of_young_children"
    LGBTIQ = "lgbtiq"
    DISABILITY = "disability"
    LIVING_WITH_HIV = "living_with_hiv"
    IN_TRANSIT = "in_transit"


def age_at(birth_year_month: str, on: date) -> int:
    """Return the age in whole years on ``on`` of a person born in ``birth_year_month``.

    Only the birth month is known, so the birthday is taken as the first day of that month:
    a person born in 2018-03 turns 5 on 2023-03-01. Raises ``ValueError`` for a malformed month
    or a date before the birth month.
    """
    year_text, _, month_text = birth_year_month.partition("-")
    birth = date(int(year_text), int(month_text), 1)
    if on < birth:
        raise ValueError(f"{on.isoformat()} is before birth month {birth_year_month}")
    before_birthday = on.month < birth.month
    return on.year - birth.year - (1 if before_birthday else 0)


def age_group_at(birth_year_month: str, on: date) -> AgeGroup:
    """Return the reports' seven-group age group on ``on`` of a person born in ``birth_year_month``
    (YYYY-MM). The services count in the program file's bands (``program.ages.age_group_at``);
    Peru's are these seven.

    The birthday is taken as the first day of the birth month (see ``age_at``).
    """
    age = age_at(birth_year_month, on)
    group = AgeGroup.EARLY_CHILDHOOD
    for floor, candidate in _AGE_GROUP_FLOORS:
        if age >= floor:
            group = candidate
    return group
