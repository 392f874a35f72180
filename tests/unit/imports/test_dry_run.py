"""The dry run: every row's errors (row, column, reason in Spanish and English), nothing sent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from deploy.imports.acts import OCCURRED, dated
from deploy.imports.checking import read_row
from deploy.imports.dry_run import dry_run, fill
from deploy.imports.kinds import KINDS
from deploy.imports.reading import read_table
from deploy.imports.templates import csv_template
from services.cases.case_requests import OpenCaseRequest
from services.cases.participant_requests import RegisterRequest

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
PERSON = "0b6f3c2d-1e4a-4f5b-8c7d-9a0b1c2d3e4f"


class Refs:
    def __init__(self, **done: list[str]) -> None:
        self.done = done

    async def answers(self, kind: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        return {k: {} for k in keys if k in self.done.get(kind, [])}


class Directory:
    async def unit(self, name: str, region: str) -> str | None:
        return "u-1" if (name, region) == ("CEM Tumbes", "tumbes") else None

    async def provider(self, name: str, region: str) -> str | None:
        return None


async def _check(kind: str, text: str, refs: Refs | None = None, directory: Any = None) -> Any:
    table = read_table(f"{kind}.csv", text.encode())
    return await dry_run(kind, table, NOW, refs or Refs(), directory)


PEOPLE = (
    "participant_ref,registered_on,given_names,family_names,sex,birth_date,nationality,region\n"
    "P-1,2026-03-02,Ana,Pérez,woman,1990-01-01,VEN,tumbes\n"
)


async def test_a_clean_file_has_its_rows_and_no_errors() -> None:
    checked = await _check("participants", PEOPLE)
    assert checked.valid
    [row] = checked.rows
    assert (row.number, row.key) == (2, "P-1")
    assert row.acts[0].path == "/participants"
    assert row.acts[0].body["given_names"] == "Ana"


async def test_every_error_of_every_row_is_reported_in_both_languages() -> None:
    checked = await _check(
        "participants",
        PEOPLE + "P-2,2099-01-01,Luis,Rojas,martian,1990-01-01,VEN,lima\n"
        "P-3,05/13/2026,,Soto,man,,VEN,piura\n",
    )
    found = {(e.row, e.column): (e.es, e.en) for e in checked.errors}
    assert set(found) == {
        (3, "registered_on"),
        (3, "sex"),
        (3, "region"),
        (4, "registered_on"),
        (4, "given_names"),
    }
    es, en = found[(3, "sex")]
    assert "no es un código de la lista sex" in es and "is not a code of the list sex" in en
    assert "futuro" in found[(3, "registered_on")][0]
    assert "future" in found[(3, "registered_on")][1]
    assert found[(4, "given_names")] == (
        "falta el valor (columna obligatoria)",
        "missing value (required column)",
    )


async def test_the_services_request_models_check_what_cells_cannot() -> None:
    checked = await _check(
        "participants",
        "participant_ref,given_names,family_names,sex,nationality,region\n"
        "P-1,Ana,Pérez,woman,VEN,tumbes\n",
    )
    [error] = checked.errors  # neither birth date nor estimated age: RegisterRequest says so
    assert error.row == 2
    assert "birth_date" in error.en and "no es válido" in error.es


async def test_a_repeated_row_key_and_unknown_columns_are_errors() -> None:
    checked = await _check(
        "participants", PEOPLE.replace("region\n", "region,colour\n") + PEOPLE.split("\n")[1] + "\n"
    )
    found = {(e.row, e.column) for e in checked.errors}
    assert (1, "colour") in found
    assert (3, "participant_ref") in found


async def test_references_must_be_imported_first_and_units_in_the_directory() -> None:
    text = (
        "referral_ref,case_ref,unit,region,assistance_type,reason\n"
        "R-1,C-1,CEM Tumbes,tumbes,psychosocial,gbv_care\n"
        "R-2,C-9,CEM Lima,tumbes,psychosocial,gbv_care\n"
    )
    checked = await _check("referrals", text, Refs(cases=["C-1"]), Directory())
    found = {(e.row, e.column): e.en for e in checked.errors}
    assert set(found) == {(3, "case_ref"), (3, "unit")}
    assert "import the cases file first" in found[(3, "case_ref")]


async def test_a_referral_row_with_answers_is_the_request_and_each_recorded_answer() -> None:
    text = (
        "referral_ref,case_ref,unit,region,assistance_type,reason,accepted_on,completed_on,outcome\n"
        "R-1,C-1,CEM Tumbes,tumbes,psychosocial,gbv_care,2026-03-05,10/03/2026,care_started\n"
        "R-2,C-1,CEM Tumbes,tumbes,psychosocial,gbv_care,,2026-03-06,\n"
    )
    checked = await _check("referrals", text, Refs(cases=["C-1"]), Directory())
    first = checked.rows[0]
    assert [a.name for a in first.acts] == ["refer", "accept", "complete"]
    assert first.acts[2].body["evidence"]["answered_at"] == "2026-03-10T12:00:00-05:00"
    assert {(e.row, e.column) for e in checked.errors} == {(3, "accepted_on")}


async def test_a_redeemed_voucher_is_issued_then_redeemed_as_its_clinic() -> None:
    text = (
        "voucher_ref,case_ref,provider,region,services,amount,valid_until,redeemed_on,receipt_number\n"
        "V-1,C-1,Clínica,tumbes,consultation;medicines,150.00,2027-01-31,2026-03-09,B001-1\n"
        "V-2,C-1,,tumbes,consultation,150,2027-01-31,2026-03-09,B001-2\n"
    )
    checked = await _check("vouchers", text, Refs(cases=["C-1"]))
    redeem = checked.rows[0].acts[-1]
    assert (redeem.name, redeem.role, redeem.path) == ("redeem", "clinic", "/redemptions")
    assert redeem.body["services"] == ["consultation", "medicines"]
    assert {(e.row, e.column) for e in checked.errors} == {(3, "provider")}


def test_a_date_feeds_occurred_at_where_the_command_has_it_else_its_own_field() -> None:
    moment = datetime(2026, 3, 2, 17, tzinfo=UTC)
    assert dated(OpenCaseRequest, "opened_at", moment) == {"opened_at": moment.isoformat()}
    assert dated(RegisterRequest, None, moment) == {OCCURRED: moment.isoformat()}
    assert dated(RegisterRequest, None, None) == {}

    class Undated(BaseModel):  # a command without the act's time: kept, not sent
        note: str = ""

    assert dated(Undated, None, moment) == {}


def test_a_day_without_a_time_is_midday_there_and_today_s_is_never_in_the_future() -> None:
    participants = KINDS["participants"]
    morning = datetime(2026, 3, 2, 14, tzinfo=UTC)  # 09:00 in Lima
    row = {"registered_on": "2026-03-01"}
    earlier, _ = read_row(participants, 2, row, morning)
    today, _ = read_row(participants, 2, {"registered_on": "2026-03-02"}, morning)
    _, errors = read_row(participants, 2, {"registered_on": "2026-03-03"}, morning)

    assert earlier["registered_on"] == datetime(2026, 3, 1, 17, tzinfo=UTC)  # midday in Lima
    assert today["registered_on"] == morning
    assert [e.column for e in errors if e.column == "registered_on"] == ["registered_on"]


async def test_a_person_s_population_type_and_attributes_are_sent_as_codes() -> None:
    header = PEOPLE.splitlines()[0] + ",population_type,attribute_disability,attribute_lgbtiq\n"
    row = PEOPLE.splitlines()[1]
    checked = await _check(
        "participants",
        header + row + ",In_Transit,with_disability,\n"
        + row.replace("P-1", "P-2") + ",,not_asked,maybe\n",
    )  # fmt: skip

    [(number, column)] = [(e.row, e.column) for e in checked.errors]
    assert (number, column) == (3, "attribute_lgbtiq")
    body = checked.rows[0].acts[0].body
    assert body["population_type"] == "in_transit"
    assert body["attributes"] == {"disability": "with_disability"}
    assert RegisterRequest.model_validate(body).attributes == {"disability": "with_disability"}


async def test_a_delivery_or_a_reach_may_name_its_province_and_a_wrong_one_is_refused() -> None:
    services = await _check(
        "services",
        "case_ref,service_type,delivered_on,admin2\n"
        "C-1,dignity_kit,2026-03-02,piura_paita\n"
        "C-2,dignity_kit,2026-03-02,\n"
        "C-3,dignity_kit,2026-03-02,atlantis\n",
        Refs(cases=["C-1", "C-2", "C-3"]),
    )
    named, plain = services.rows[0].acts[0], services.rows[1].acts[0]
    assert named.body["admin2"] == "piura_paita" and "admin2" not in plain.body
    assert {(e.row, e.column) for e in services.errors} == {(4, "admin2")}
    reached = await _check(
        "outreach",
        "participant_ref,topic,channel,delivery_mode,region,reached_on,admin2\n"
        "P-1,health_services,fair,in_person,tumbes,2026-03-02,tumbes_zarumilla\n",
        Refs(participants=["P-1"]),
    )
    assert reached.valid and reached.rows[0].acts[0].body["admin2"] == "tumbes_zarumilla"
    # A file of before the column is read as before.
    older = await _check(
        "services", "case_ref,service_type,delivered_on\nC-1,dignity_kit,2026-03-02\n",
        Refs(cases=["C-1"]),
    )  # fmt: skip
    assert older.valid and "admin2" not in older.rows[0].acts[0].body


async def test_a_case_a_referral_and_a_voucher_may_name_a_province_of_their_region() -> None:
    for kind in ("cases", "referrals", "vouchers"):
        assert "admin2" in csv_template(kind).decode().strip().split(",")
    cases = await _check(
        "cases",
        "case_ref,participant_ref,case_type,intake_channel,region,admin2\n"
        "C-1,P-1,gbv_protection,admission_form,tumbes,tumbes_zarumilla\n"
        "C-2,P-1,gbv_protection,admission_form,tumbes,\n"
        "C-3,P-1,gbv_protection,admission_form,tumbes,atlantis\n"
        "C-4,P-1,gbv_protection,admission_form,tumbes,piura_paita\n",
        Refs(participants=["P-1"]),
    )
    named, plain = cases.rows[0].acts[0].body, cases.rows[1].acts[0].body
    assert named["admin2"] == "tumbes_zarumilla" and "admin2" not in plain
    assert OpenCaseRequest.model_validate(fill(named, {"participant_id": PERSON})).admin2 == (
        "tumbes_zarumilla"
    )
    found = {(e.row, e.column): (e.es, e.en) for e in cases.errors}
    assert set(found) == {(4, "admin2"), (5, "admin2")}
    assert "no es un código de la lista admin2" in found[(4, "admin2")][0]
    assert found[(5, "admin2")] == (
        "la provincia 'piura_paita' no está dentro de la región tumbes",
        "province 'piura_paita' is not inside region tumbes",
    )
    referrals = await _check(
        "referrals",
        "referral_ref,case_ref,unit,region,assistance_type,reason,admin2\n"
        "R-1,C-1,CEM Tumbes,tumbes,psychosocial,gbv_care,tumbes_tumbes\n"
        "R-2,C-1,CEM Tumbes,tumbes,psychosocial,gbv_care,lima_lima\n",
        Refs(cases=["C-1"]),
        Directory(),
    )
    assert referrals.rows[0].acts[0].body["admin2"] == "tumbes_tumbes"
    assert {(e.row, e.column) for e in referrals.errors} == {(3, "admin2")}
    vouchers = await _check(
        "vouchers",
        "voucher_ref,case_ref,region,services,amount,valid_until,admin2\n"
        "V-1,C-1,tumbes,consultation,150.00,2027-01-31,tumbes_zarumilla\n"
        "V-2,C-1,tumbes,consultation,150.00,2027-01-31,piura_paita\n",
        Refs(cases=["C-1"]),
    )
    assert vouchers.rows[0].acts[0].body["admin2"] == "tumbes_zarumilla"
    assert {(e.row, e.column) for e in vouchers.errors} == {(3, "admin2")}


async def test_an_outreach_row_s_province_outside_its_region_is_the_row_s_error() -> None:
    reached = await _check(
        "outreach",
        "participant_ref,topic,channel,delivery_mode,region,reached_on,admin2\n"
        "P-1,health_services,fair,in_person,tumbes,2026-03-02,lima_lima\n",
        Refs(participants=["P-1"]),
    )
    assert {(e.row, e.column) for e in reached.errors} == {(2, "admin2")}
