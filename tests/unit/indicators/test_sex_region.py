"""Sex x region, the table the report shows beside sex x age: the same subjects, the same
totals, and in the suppressed view each cell published from its own count."""

from __future__ import annotations

from services.indicators.attainment import SEXES, TOTAL, Filters, figures
from services.indicators.suppression import View, in_view
from tests.support.peru import REGIONS
from tests.unit.indicators.builders import (
    Numbered,
    case_opened,
    ledger_of,
    numbered,
    referral_completed,
)
from tests.unit.indicators.test_order_independence import Y2, scenario


def gbv(n: int, region: str) -> list[Numbered]:
    return numbered(*(x for p in range(500, 500 + n) for x in (
        case_opened(p, region=region), referral_completed(p, region=region),
    )))  # fmt: skip


def test_sex_by_region_adds_up_to_the_regions_and_to_sex_by_age() -> None:
    exact = figures(Y2, ledger_of(Y2, scenario()), Filters())
    for i in exact.indicators:
        table = i.sex_region
        assert set(table) == {*SEXES, TOTAL} and set(table[TOTAL]) == {*REGIONS, TOTAL}
        assert {r: table[TOTAL][r] for r in REGIONS} == i.regions
        for sex in SEXES:
            assert table[sex][TOTAL] == i.sex_age[sex][TOTAL]
        assert table[TOTAL][TOTAL] == i.value
    pap = next(i for i in exact.indicators if i.id == "OE2.7")
    assert sum(int(pap.sex_region[s]["tumbes"]) for s in SEXES) == pap.regions["tumbes"] == 1


def test_a_protected_indicator_publishes_each_sex_by_region_cell_from_its_own_count() -> None:
    ledger = ledger_of(Y2, [*scenario(), *gbv(12, "tumbes")])
    shown = in_view(figures(Y2, ledger, Filters()), View.SUPPRESSED)
    oe11 = next(i for i in shown.indicators if i.id == "OE1.1")
    assert oe11.sex_region[TOTAL][TOTAL] == oe11.value
    for row in oe11.sex_region.values():
        assert all(n == "<5" or (isinstance(n, int) and n % 5 == 0) for n in row.values())
