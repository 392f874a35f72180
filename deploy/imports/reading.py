"""A file's rows as text, from CSV (UTF-8, comma or semicolon) or XLSX (the first sheet).

Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


class Unreadable(Exception):
    """Not a CSV or XLSX file this import can read (the reason in Spanish and English)."""

    def __init__(self, es: str, en: str) -> None:
        super().__init__(en)
        self.es, self.en = es, en


def read_table(name: str, content: bytes) -> Table:
    """The rows of a `.csv` or `.xlsx` file; blank rows are left out."""
    if name.lower().endswith(".xlsx"):
        return _xlsx(content)
    if name.lower().endswith(".csv"):
        return _csv(content)
    raise Unreadable("el archivo debe ser .csv o .xlsx", "the file must be .csv or .xlsx")


def _csv(content: bytes) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable(
            "el CSV debe estar en UTF-8 (Excel: Guardar como CSV UTF-8)",
            "the CSV must be UTF-8 (Excel: Save as CSV UTF-8)",
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return _table(lines)


def _xlsx(content: bytes) -> Table:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise Unreadable("no es un libro XLSX válido", "not a valid XLSX workbook") from None
    sheet = book.worksheets[0]
    lines = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return _table(lines)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(lines: list[list[str]]) -> Table:
    if not lines:
        raise Unreadable("el archivo está vacío", "the file is empty")
    header = [cell.strip().lower() for cell in lines[0]]
    while header and not header[-1]:
        header.pop()
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = [cell.strip() for cell in line[: len(header)]]
        if any(cells):
            rows.append(
                (number, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True)))
            )
    return Table(header, rows)
