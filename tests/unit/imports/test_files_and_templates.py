"""Files as staff send them (CSV with ';' or ',', XLSX) and the templates they start from."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from deploy.imports.codes import codes, names
from deploy.imports.kinds import KINDS
from deploy.imports.reading import Unreadable, read_table
from deploy.imports.templates import csv_template, xlsx_template
from program.load import PROGRAMS_DIR, current_program


def test_a_semicolon_csv_from_excel_reads_with_spreadsheet_row_numbers() -> None:
    table = read_table("x.csv", "\ufeffParticipant_Ref;Sex\nP-1;woman\n;\nP-2;man\n".encode())
    assert table.header == ["participant_ref", "sex"]
    assert table.rows == [(2, {"participant_ref": "P-1", "sex": "woman"}),
                          (4, {"participant_ref": "P-2", "sex": "man"})]  # fmt: skip


def test_an_xlsx_reads_dates_and_numbers_as_typed() -> None:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["case_ref", "delivered_on", "quantity"])
    sheet.append(["C-1", datetime(2026, 3, 2), 3])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table("x.xlsx", buffer.getvalue())
    assert table.rows == [(2, {"case_ref": "C-1", "delivered_on": "2026-03-02", "quantity": "3"})]


def test_other_files_are_refused_in_both_languages() -> None:
    with pytest.raises(Unreadable) as refused:
        read_table("x.pdf", b"%PDF")
    assert refused.value.es == "el archivo debe ser .csv o .xlsx"
    with pytest.raises(Unreadable):
        read_table("x.xlsx", b"not a workbook")


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_template_has_the_kinds_columns_and_its_codes(kind: str) -> None:
    assert csv_template(kind).decode().strip().split(",") == KINDS[kind].names
    book = load_workbook(io.BytesIO(xlsx_template(kind)))
    assert [c.value for c in book["datos"][1]] == KINDS[kind].names
    lists = book["codigos"]
    for column in lists.iter_cols(values_only=True):
        assert list(column[1 : len(codes(str(column[0]))) + 1]) == codes(str(column[0]))
    guide = [row[0] for row in book["instrucciones"].iter_rows(min_row=2, values_only=True)]
    assert guide == KINDS[kind].names
    coded = [c for c in KINDS[kind].columns if c.codes and c.value != "list"]
    assert len(book["datos"].data_validations.dataValidation) == len(coded)


def test_the_region_list_comes_from_the_programs_codes() -> None:
    assert codes("region") == ["lima_callao", "la_libertad", "piura", "tumbes"]
    assert "CEM" in codes("destination")


def test_the_participants_template_has_the_program_s_attributes_with_their_codes() -> None:
    names = csv_template("participants").decode().strip().split(",")
    assert {"population_type", "attribute_disability", "attribute_lgbtiq"} <= set(names)
    assert codes("attribute_lgbtiq") == ["yes", "no", "prefer_not_to_say"]
    assert codes("population_type")[:2] == ["in_destination", "in_transit"]
    guide = load_workbook(io.BytesIO(xlsx_template("participants")))["instrucciones"]
    described = {row[0]: row[3] for row in guide.iter_rows(values_only=True)}
    assert described["attribute_lgbtiq"] == "Se identifica como LGBTIQ+ (respuesta voluntaria)"
    assert described["nationality"] == "Nacionalidad (ISO 3166, p. ej. VEN)"
    assert "attribute_nationality" not in described  # nationality is asked once, as ISO code
    with pytest.raises(KeyError):
        codes("attribute_ethnicity")  # not an attribute of this program


def test_another_program_s_attributes_are_its_code_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANA_PROGRAM_FILE", str(PROGRAMS_DIR / "western_balkans.yaml"))
    current_program.cache_clear()
    try:
        assert codes("attribute_ethnicity")[:2] == ["roma", "egyptian"]
        assert "attribute_ethnicity" in names() and "attribute_lgbtiq" not in names()
        assert codes("population_type")[-1] == "internally_displaced"
    finally:
        current_program.cache_clear()
