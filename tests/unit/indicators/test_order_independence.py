"""Guarantee 6 on the pure logic: every arrival order of the same events gives the same tables."""

from __future__ import annotations

import random
from datetime import date

from services.indicators.attainment import Filters, counted, figures
from services.indicators.logframe import load_directory
from tests.unit.indicators.builders import (
    Numbered,
    case_opened,
    corrected,
    ledger_of,
    merged,
    message,
    numbered,
    redeemed,
    referral_completed,
    registered,
    reversed_,
    service,
)

Y2 = load_directory()["pana_peru_y2_v1"]
PAP = "psychological_first_aid"


def scenario() -> list[Numbered]:
    """Registrations, a correction, a chain of merges, reversals and a two-requirement rule."""
    return numbered(
        registered(1, "woman", "2004-10"),  # 17 until October 2022, then 18 (youth)
        registered(2, "man", "1980-01"),
        registered(3, "non_binary", "1999-07"),
        corrected(2, sex="woman"),
        service(1, PAP, "2022-09-20"),
        service(2, PAP, "2022-10-02", region="piura"),
        service(3, PAP, "2022-11-11", region="tumbes"),
        merged(3, 2),
        merged(4, 3),  # a chain: 4 -> 3 -> 2, and 4 never registered
        service(4, PAP, "2022-09-05", region="tumbes"),
        redeemed(1, 1),
        reversed_(1, 1),
        redeemed(2, 2, "2023-02-01"),
        case_opened(1),
        referral_completed(1, "legal", "2022-12-24"),
        message(5, day="2023-08-31T22:00"),  # never registered: sex and age unknown
    )


def test_every_order_gives_the_same_ledger_people_and_tables() -> None:
    events = scenario()
    expected_ledger = ledger_of(Y2, events)
    expected = figures(Y2, expected_ledger, Filters())
    expected_people = counted(Y2, expected_ledger, Filters())
    orders = [list(reversed(events))]
    # Registrations and merges last: every act arrives before what describes its person.
    orders.append(sorted(events, key=lambda e: e[1].event_type.startswith("participant")))
    shuffler = random.Random(8)
    for _ in range(300):
        order = list(events)
        shuffler.shuffle(order)
        orders.append(order)
    for order in orders:
        ledger = ledger_of(Y2, order)
        assert ledger == expected_ledger
        assert counted(Y2, ledger, Filters()) == expected_people
        assert figures(Y2, ledger, Filters()) == expected


def test_the_scenario_tables_are_right() -> None:
    result = {i.id: i for i in figures(Y2, ledger_of(Y2, scenario()), Filters()).indicators}
    pap = result["OE2.7"]
    # Person 2 (corrected to woman) absorbed 3 and 4; counted at 4's act, the earliest.
    assert pap.value == 2
    assert pap.sex_age["woman"]["adolescence"] == 1  # person 1, PAP in September 2022 at 17
    assert pap.sex_age["woman"]["young_adults"] == 1  # person 2 (born 1980-01): 42
    assert pap.sex_age["total"]["total"] == 2
    assert pap.regions == {"lima_callao": 1, "la_libertad": 0, "piura": 0, "tumbes": 1}
    assert [(m.month, m.new, m.cumulative) for m in pap.months[:3]] == [
        ("2022-09", 2, 2), ("2022-10", 0, 2), ("2022-11", 0, 2),
    ]  # fmt: skip
    assert result["OE2.2"].value == 1  # person 1's redemption was reversed
    # Person 1 had PAP (assistance) in September; the GBV case opened in October completes it.
    assert result["OE1.1"].value == 1 and result["OE1.1"].months[1].new == 1
    assert result["OE2.5"].sex_age["unknown"]["unknown"] == 1
    assert result["OE2.5"].months[-1].new == 1  # 31 Aug 2023, 22:00 in Lima
    assert result["DIRECT"].value == 3


def test_a_correction_re_derives_past_acts() -> None:
    before = numbered(registered(1, "man", "2000-01"), service(1, PAP, "2022-10-01"))
    after = [*before, *numbered(corrected(1, sex="woman", birth_year_month="2010-01"))]
    pap_before = figures(Y2, ledger_of(Y2, before), Filters()).indicators[6]
    pap_after = figures(Y2, ledger_of(Y2, after), Filters()).indicators[6]
    assert pap_before.sex_age["man"]["youth"] == 1
    assert pap_after.sex_age["man"]["total"] == 0
    assert pap_after.sex_age["woman"]["adolescence"] == 1


def test_filters_narrow_region_and_window() -> None:
    ledger = ledger_of(Y2, scenario())
    piura = counted(Y2, ledger, Filters(region="piura"))["OE2.7"]
    assert [c.region for c in piura] == ["piura"]
    october = counted(Y2, ledger, Filters(start=date(2022, 10, 1), end=date(2022, 10, 31)))
    assert [c.counted_on.isoformat() for c in october["OE2.7"]] == ["2022-10-02"]
