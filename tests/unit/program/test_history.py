"""A program file may add and relabel codes, never drop one that recorded events use."""

from typing import Any

import pytest

from program.history import code_fields, codes_in, refuse_removals, removed_codes
from program.load import PROGRAMS_DIR, ProgramError, load_program

PERU = load_program(PROGRAMS_DIR / "peru.yaml")
BALKANS = load_program(PROGRAMS_DIR / "western_balkans.yaml")

STORED: list[tuple[str, int, dict[str, Any]]] = [
    ("case.opened", 1, {"region": "tumbes", "case_type": "gbv_protection"}),
    ("service.delivered", 1, {"region": "piura", "service_type": "lodging"}),
    ("referral.requested", 1, {"region": "piura", "destination": "CEM"}),
    ("voucher.issued", 1, {"region": "lima_callao", "services": ["exams", "medicines"]}),
    ("consent.given", 1, {"destinations": ["SIS"]}),
]


def test_the_events_code_fields_are_found_by_their_vocabulary() -> None:
    fields = code_fields()

    assert fields[("service.delivered", 1)] == {
        "service_type": "service",
        "region": "territory",
        "admin2": "admin2",
    }
    assert fields[("voucher.redeemed", 1)]["services"] == "voucher_coverage"
    assert fields[("consent.given", 1)] == {"destinations": "destination"}
    assert fields[("referral.completed", 1)]["destination"] == "destination"


def test_the_codes_stored_events_carry_are_gathered_by_vocabulary() -> None:
    assert codes_in(STORED) == {
        "case_type": {"gbv_protection"},
        "territory": {"tumbes", "piura", "lima_callao"},
        "service": {"lodging"},
        "destination": {"CEM", "SIS"},
        "voucher_coverage": {"exams", "medicines"},
    }


def test_the_same_program_removes_nothing() -> None:
    assert removed_codes(codes_in(STORED), PERU) == {}
    refuse_removals(codes_in(STORED), PERU, "peru.yaml")


def test_a_program_that_drops_codes_in_use_is_refused_naming_them() -> None:
    assert removed_codes(codes_in(STORED), BALKANS) == {
        "case_type": ["gbv_protection"],
        "destination": ["CEM", "SIS"],
        "service": ["lodging"],
        "territory": ["lima_callao", "piura", "tumbes"],
        "voucher_coverage": ["exams", "medicines"],
    }
    with pytest.raises(ProgramError, match=r"new.yaml: removes codes .*territory: lima_callao"):
        refuse_removals(codes_in(STORED), BALKANS, "new.yaml")


def test_a_person_s_attribute_values_in_use_cannot_be_dropped() -> None:
    registered = ("participant.registered", 1, {
        "region": "rs_nis", "population_type": "returnees",
        "attributes": {"ethnicity": "roma", "disability": "not_asked"},
    })  # fmt: skip
    corrected = ("participant.corrected", 1, {"attributes": {"ethnicity": "ashkali"}})
    seen = codes_in([registered, corrected])

    assert seen["ethnicity"] == {"roma", "ashkali"} and seen["population_type"] == {"returnees"}
    assert removed_codes(seen, BALKANS) == {}
    assert removed_codes(seen, PERU) == {  # Peru has disability and returnees, no ethnicity
        "ethnicity": ["ashkali", "roma"],
        "territory": ["rs_nis"],
    }


ACTIVITY = (
    "group_activity.recorded",
    1,
    {
        "region": "piura",
        "headcounts": [
            {"sex": "non_binary", "age_group": "youth", "count": 3},
            {"sex": "woman", "age_group": "adults", "count": 5},
        ],
    },
)


def test_the_codes_inside_a_group_activitys_headcounts_are_gathered() -> None:
    """Each headcount names a sex and an age group: both are history a program must keep."""
    seen = codes_in([ACTIVITY])

    assert seen["sex"] == {"non_binary", "woman"}
    assert seen["age_group"] == {"youth", "adults"}
    assert removed_codes(seen, PERU) == {}


def test_a_program_dropping_a_sex_or_age_group_headcounts_use_is_refused() -> None:
    dropped = PERU.model_copy(
        update={
            "sexes": [s for s in PERU.sexes if s.code != "non_binary"],
            "age_groups": [a for a in PERU.age_groups if a.code != "adults"],
        }
    )

    assert removed_codes(codes_in([ACTIVITY]), dropped) == {
        "age_group": ["adults"],
        "sex": ["non_binary"],
    }
    with pytest.raises(ProgramError, match=r"age_group: adults; sex: non_binary"):
        refuse_removals(codes_in([ACTIVITY]), dropped, "new.yaml")
