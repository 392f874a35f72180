"""The donor report as a workbook: a summary sheet (the logframe's summary table) and one sheet
per indicator laid out as the report shows it (domain brief, section 8).

Each indicator's sheet: its title, target, result and percent; the table of unique people (or
cases) with the age groups as rows and Mujeres, Hombres, No binario, Total as columns, a total
row; then the same by sex and territory, then by sex and each of the program's dimensions the
logframe disaggregates by (population type, an attribute, an admin level; labels from the
program file). Figures arrive already in their view, so a suppressed
count is written as shown ("<5", a multiple of 5). Percents are stored as fractions with a percent
format, counts as integers with a thousands format: the donor's spreadsheet can sum them.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.indicators.attainment import Attainment, Cell, IndicatorFigures
from services.indicators.reports.labels import (
    UNIT_LABELS,
    age_sex_table,
    dimension_caption,
    dimension_table,
    sex_region_table,
    window_label,
)

SUMMARY = "Resumen"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
TABLE_HEADER = "Grupo de edad"
REGION_HEADER = "Territorio"


def donor_report_xlsx(attainment: Attainment) -> bytes:
    """The workbook for `attainment`'s period, region and view."""
    book = Workbook()
    summary = book.active
    assert summary is not None  # a new workbook always has its first sheet
    _summary(summary, attainment)
    for i in attainment.indicators:
        _indicator(book.create_sheet(sheet_name(i.id)), attainment, i)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_name(indicator_id: str) -> str:
    """An indicator's sheet: its id, without the characters Excel refuses in a sheet name."""
    return "".join("-" if c in "/\\?*[]:" else c for c in indicator_id)[:31]


def _summary(sheet: Worksheet, a: Attainment) -> None:
    sheet.title = SUMMARY
    sheet.append([a.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([window_label(a)])
    if a.rebuilding is not None:  # partial figures must never pass for whole ones
        sheet.append([f"RECONSTRUYENDO: cifras parciales ({a.rebuilding.read} de "
                      f"{a.rebuilding.of} registros leídos)"])  # fmt: skip
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append(["Indicador", "Descripción", "Unidad", "Meta", "Resultado", "% de la meta"])
    _header(sheet, header_row)
    for i in a.indicators:
        sheet.append([i.id, i.title_in("es"), UNIT_LABELS.get(i.unit, i.unit), i.target, i.value,
                      _fraction(i.percent)])  # fmt: skip
        row = sheet.max_row
        for col in (4, 5):
            sheet.cell(row, col).number_format = COUNT_FORMAT
        sheet.cell(row, 6).number_format = PERCENT_FORMAT
        sheet.cell(row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = f"A{header_row + 1}"
    _widths(sheet, [12, 70, 10, 12, 12, 14])


def _indicator(sheet: Worksheet, a: Attainment, i: IndicatorFigures) -> None:
    sheet.append([f"{i.id}: {i.title_in('es')}"])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([window_label(a)])
    sheet.append([])
    sheet.append(["Indicador", "Meta", "Resultado", "% de la meta"])
    _header(sheet, sheet.max_row)
    sheet.append([i.id, i.target, i.value, _fraction(i.percent)])
    row = sheet.max_row
    sheet.cell(row, 2).number_format = sheet.cell(row, 3).number_format = COUNT_FORMAT
    sheet.cell(row, 4).number_format = PERCENT_FORMAT
    sheet.append([])
    unit = UNIT_LABELS.get(i.unit, i.unit)
    sheet.append([f"Número de {unit} únicas por sexo y grupo de edad" if unit == "personas"
                  else f"Número de {unit} únicos por sexo y grupo de edad"])  # fmt: skip
    sheet.cell(sheet.max_row, 1).font = BOLD
    header, rows = age_sex_table(i)
    table_header = sheet.max_row + 1
    sheet.append([TABLE_HEADER, *header])
    _header(sheet, table_header)
    _table(sheet, rows)
    sheet.append([])
    sheet.append([f"Número de {unit} por sexo y territorio"])
    sheet.cell(sheet.max_row, 1).font = BOLD
    header, rows = sex_region_table(i)
    sheet.append([REGION_HEADER, *header])
    _header(sheet, sheet.max_row)
    _table(sheet, rows)
    for t in i.dimensions:
        sheet.append([])
        sheet.append([dimension_caption(unit, t)])
        sheet.cell(sheet.max_row, 1).font = BOLD
        header, rows = dimension_table(t)
        sheet.append([t.labels.get("es", t.dimension), *header])
        _header(sheet, sheet.max_row)
        _table(sheet, rows)
    sheet.freeze_panes = f"B{table_header + 1}"
    _widths(sheet, [36, 12, 12, 12, 12, 12])


def _table(sheet: Worksheet, rows: list[tuple[str, list[Cell]]]) -> None:
    for label, cells in rows:
        sheet.append([label, *cells])
        for col in range(2, len(cells) + 2):
            cell = sheet.cell(sheet.max_row, col)
            cell.number_format = COUNT_FORMAT
            cell.alignment = Alignment(horizontal="right")
    if rows and rows[-1][0] == "Total":
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD


def _header(sheet: Worksheet, row: int) -> None:
    for cell in sheet[row]:
        if cell.value is not None:
            cell.font = BOLD
            cell.fill = HEADER_FILL


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else percent / 100
