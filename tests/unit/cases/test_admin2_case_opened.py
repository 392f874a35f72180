"""A case opening's optional admin2 (its province): O.E. 1.1 counts `case.opened`, so a person
whose assistance came before their case is reached by the opening, whose province the 5W names;
carried when inside the case's region, refused with a 422 otherwise, absent when not given."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from contracts.cases import CaseOpened
from eventkit.http import REFUSAL_STATUS
from services.cases import open_case
from services.cases.case import Case
from services.cases.case_requests import OpenCaseRequest
from services.indicators.logframe import load_directory
from services.indicators.reports.r4v import five_w, five_w_csv
from tests.support.admin2 import refuses_an_unknown_province
from tests.support.deciders import then_only, then_refused, when
from tests.unit.cases.test_open_case import _open
from tests.unit.indicators.builders import case_opened, ledger_of, numbered, registered, service
from tests.unit.indicators.reports.test_r4v_admin2 import with_admin2

Y2 = load_directory()["pana_peru_y2_v1"]


def test_a_province_inside_the_case_s_region_is_carried_and_others_are_refused() -> None:
    tumbes = replace(_open(), admin2="tumbes_zarumilla")  # the case is in Tumbes
    then_only(when(open_case.decide, tumbes, Case()), CaseOpened, admin2="tumbes_zarumilla")
    then_only(when(open_case.decide, _open(), Case()), CaseOpened, admin2=None)
    elsewhere = then_refused(when(open_case.decide, replace(tumbes, admin2="lima_lima"), Case()),
                             "admin2_outside_region")  # fmt: skip
    assert REFUSAL_STATUS[elsewhere.kind] == 422
    then_refused(when(open_case.decide, replace(tumbes, admin2="atlantis"), Case()),
                 "admin2_unknown")  # fmt: skip


def test_the_api_refuses_an_unknown_code_naming_the_field() -> None:
    refuses_an_unknown_province(OpenCaseRequest)


def test_an_opening_after_the_assistance_names_its_province_in_the_5w() -> None:
    events = numbered(
        registered(1, "woman", born="1990-05"),
        service(1, "psychological_first_aid", day="2023-05-02", region="lima_callao"),
        with_admin2(case_opened(1, day="2023-05-09"), "callao_callao"),
    )  # fmt: skip
    rows = [r for r in five_w(Y2, ledger_of(Y2, events), 2023) if r.indicator == "OE1.1"]
    assert {(r.region, r.admin2) for r in rows} == {("lima_callao", "callao_callao")}
    may = [r for r in rows if r.month == "2023-05"]
    assert [(r.monthly["women"], r.consolidated["women"]) for r in may] == [(1, 1)]
    (line,) = csv.DictReader(io.StringIO(five_w_csv(Y2, may)))
    assert line["Admin2"] == "Callao"
