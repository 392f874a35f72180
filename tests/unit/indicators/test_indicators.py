"""One table per indicator of the Year-2 logframe: which events count, which don't, how often."""

from __future__ import annotations

import pytest

from contracts.event import Event
from services.indicators.attainment import Filters, figures
from services.indicators.logframe import load_directory
from tests.unit.indicators.builders import (
    case_opened,
    merged,
    message,
    numbered,
    outcome,
    redeemed,
    referral_completed,
    referral_requested,
    registered,
    reversed_,
    service,
    taken_up,
)
from tests.unit.indicators.builders import ledger_of as _ledger

Y2 = load_directory()["pana_peru_y2_v1"]
PAP = "psychological_first_aid"
ROW = ("why", "events", "expected")


def value_of(indicator: str, events: list[Event]) -> int:
    result = figures(Y2, _ledger(Y2, numbered(*events)), Filters())
    return int(next(i for i in result.indicators if i.id == indicator).value)


def test_year_two_has_the_twelve_indicators_and_the_overall_target() -> None:
    assert [i.id for i in Y2.indicators] == [
        "OE1.1", "OE1.3", "OE2.2", "OE2.4", "OE2.5", "OE2.7",
        "OE3.1", "OE3.2", "OE3.3", "OE3.4", "OE3.5", "OE3.6",
    ]  # fmt: skip
    assert Y2.overall is not None and Y2.overall.target == 26_500
    assert (Y2.period.start.isoformat(), Y2.period.end.isoformat()) == ("2022-09-01", "2023-08-31")
    assert {i.id for i in Y2.indicators if i.sensitive} == {"OE1.1", "OE1.3"}


@pytest.mark.parametrize(ROW, [
    ("GBV case and psychosocial referral completed", [case_opened(1), referral_completed(1)], 1),
    ("GBV case and legal referral completed", [case_opened(1), referral_completed(1, "legal")], 1),
    ("GBV case and PAP delivered by the project", [case_opened(1), service(1, PAP)], 1),
    ("twice assisted counts once", [case_opened(1), referral_completed(1),
                                    referral_completed(1, "medical", "2023-01-05")], 1),
    ("GBV case without assistance", [case_opened(1)], 0),
    ("assistance without a reported violation", [referral_completed(1)], 0),
    ("non-GBV case", [case_opened(1, "health"), referral_completed(1)], 0),
    ("material assistance is not medical/legal/psychosocial",
     [case_opened(1), referral_completed(1, "material")], 0),
    ("violation reported last year, assisted this year",
     [case_opened(1, day="2022-05-01"), referral_completed(1)], 1),
    ("assisted after the period", [case_opened(1), referral_completed(1, day="2023-09-02")], 0),
    ("merged records: case on one, assistance on the other",
     [case_opened(1), referral_completed(2), merged(2, 1)], 1),
])  # fmt: skip
def test_oe1_1(why: str, events: list[Event], expected: int) -> None:
    assert value_of("OE1.1", events) == expected, why


@pytest.mark.parametrize(ROW, [
    ("one complaint taken up", [taken_up(1, case=50)], 1),
    ("two complaints of one case: one case", [taken_up(1, 50), taken_up(1, 50, "2023-02-01")], 1),
    ("two cases of one person: two cases", [taken_up(1, 50), taken_up(1, 51)], 2),
    ("taken up before the period", [taken_up(1, 50, "2022-08-15")], 0),
    ("merging people does not merge cases", [taken_up(1, 50), taken_up(2, 51), merged(2, 1)], 2),
])  # fmt: skip
def test_oe1_3_counts_cases(why: str, events: list[Event], expected: int) -> None:
    assert value_of("OE1.3", events) == expected, why


@pytest.mark.parametrize(ROW, [
    ("one redemption", [redeemed(1, 1)], 1),
    ("three vouchers, one person", [redeemed(1, 1), redeemed(1, 2), redeemed(1, 3)], 1),
    ("reversed redemption does not count", [redeemed(1, 1), reversed_(1, 1)], 0),
    ("reversal consumed before the redemption", [reversed_(1, 1), redeemed(1, 1)], 0),
    ("one of two reversed still counts", [redeemed(1, 1), redeemed(1, 2), reversed_(1, 1)], 1),
    ("two people", [redeemed(1, 1), redeemed(2, 2)], 2),
])  # fmt: skip
def test_oe2_2(why: str, events: list[Event], expected: int) -> None:
    assert value_of("OE2.2", events) == expected, why


@pytest.mark.parametrize(ROW, [
    ("referred to SIS", [referral_requested(1, "SIS")], 1),
    ("referred to EESS and CSMC: once", [referral_requested(1, "EESS"),
                                         referral_requested(1, "CSMC")], 1),
    ("referred to CEM is not a health service", [referral_requested(1, "CEM")], 0),
    ("two people", [referral_requested(1), referral_requested(2, "CSMC")], 2),
])  # fmt: skip
def test_oe2_4(why: str, events: list[Event], expected: int) -> None:
    assert value_of("OE2.4", events) == expected, why


@pytest.mark.parametrize(ROW, [
    ("health message", [message(1)], 1),
    ("reached at three fairs: once", [message(1), message(1), message(1, day="2023-05-01")], 1),
    ("income message is OE3.6", [message(1, "income_generation")], 0),
])  # fmt: skip
def test_oe2_5(why: str, events: list[Event], expected: int) -> None:
    assert value_of("OE2.5", events) == expected, why


@pytest.mark.parametrize(ROW, [
    ("one PAP", [service(1, PAP)], 1),
    ("three sessions, one person", [service(1, PAP), service(1, PAP, "2022-12-01"),
                                    service(1, PAP, "2023-04-01")], 1),
    ("a dignity kit is not PAP", [service(1, "dignity_kit")], 0),
    ("31 Aug 2022, 23:30 in Lima (already September in UTC) is before the period",
     [service(1, PAP, "2022-08-31T23:30")], 0),
    ("31 Aug 2023, 23:30 in Lima is inside the period", [service(1, PAP, "2023-08-31T23:30")], 1),
    ("two records merged: once", [service(1, PAP), service(2, PAP), merged(2, 1)], 1),
    ("a chain of merges: once", [service(1, PAP), service(2, PAP), service(3, PAP),
                                 merged(2, 1), merged(3, 2)], 1),
])  # fmt: skip
def test_oe2_7(why: str, events: list[Event], expected: int) -> None:
    assert value_of("OE2.7", events) == expected, why


OUTCOMES = {
    "OE3.1": "employment_obtained",
    "OE3.2": "employment_kept_6_months",
    "OE3.3": "income_increased",
    "OE3.4": "business_started",
    "OE3.5": "vocational_skills_used",
}


def _same_count(indicator: str, outcome_kind: str) -> bool:
    return indicator == "OE3.1" and outcome_kind == "self_employment_obtained"


@pytest.mark.parametrize("indicator", sorted(OUTCOMES))
@pytest.mark.parametrize(ROW, [
    ("its outcome", ["own"], 1),
    ("its outcome twice", ["own", "own"], 1),
    ("every other outcome", ["others"], 0),
])  # fmt: skip
def test_oe3_1_to_3_5(indicator: str, why: str, events: list[str], expected: int) -> None:
    own = OUTCOMES[indicator]
    kinds = (
        [o for o in OUTCOMES.values() if o != own and not _same_count(indicator, o)]
        if events == ["others"]
        else [own] * len(events)
    )
    built = [outcome(1, kind, day=f"2023-0{n + 1}-10") for n, kind in enumerate(kinds)]
    assert value_of(indicator, built) == expected, why


def test_oe3_1_counts_employment_or_self_employment_once() -> None:
    assert value_of("OE3.1", [outcome(1, "self_employment_obtained", day="2023-02-10")]) == 1
    both = [outcome(1, "employment_obtained", day="2023-02-10"),
            outcome(1, "self_employment_obtained", day="2023-03-10")]  # fmt: skip
    assert value_of("OE3.1", both) == 1


@pytest.mark.parametrize(ROW, [
    ("income message", [message(1, "income_generation")], 1),
    ("livelihoods advice", [service(1, "livelihoods_advice")], 1),
    ("both: once", [message(1, "income_generation"), service(1, "livelihoods_advice")], 1),
    ("health message does not count", [message(1)], 0),
    ("technical training is not advice", [service(1, "technical_training")], 0),
])  # fmt: skip
def test_oe3_6(why: str, events: list[Event], expected: int) -> None:
    assert value_of("OE3.6", events) == expected, why


@pytest.mark.parametrize(ROW, [
    ("anyone reached by any activity", [message(1), service(2, "dignity_kit"), redeemed(3, 1)], 3),
    ("one person in many indicators: once", [message(1), service(1, PAP), redeemed(1, 1)], 1),
    ("registration alone does not make a participant", [registered(1)], 0),
])  # fmt: skip
def test_direct_participants(why: str, events: list[Event], expected: int) -> None:
    assert value_of("DIRECT", events) == expected, why
