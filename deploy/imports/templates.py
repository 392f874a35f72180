"""A downloadable template per kind: the columns, what each means, the program's codes.

CSV: the header row only (a spreadsheet or a script fills it). XLSX: the header on the first
sheet with a drop-down on every coded column, a sheet explaining each column in Spanish and
English, and a sheet of the code lists the drop-downs read.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from deploy.imports.codes import codes
from deploy.imports.kinds import KINDS

MAX_ROWS = 50_000


def csv_template(kind: str) -> bytes:
    return (",".join(KINDS[kind].names) + "\n").encode()


def xlsx_template(kind: str) -> bytes:
    spec = KINDS[kind]
    book = Workbook()
    data = book.active
    assert data is not None
    data.title = "datos"
    data.append(spec.names)
    guide = book.create_sheet("instrucciones")
    guide.append(
        ["columna / column", "obligatoria / required", "lista / list", "descripción", "description"]
    )
    lists = book.create_sheet("codigos")
    used = sorted({c.codes for c in spec.columns if c.codes})
    for index, name in enumerate(used, start=1):
        lists.cell(1, index, name)
        for row, code in enumerate(codes(name), start=2):
            lists.cell(row, index, code)
    for index, column in enumerate(spec.columns, start=1):
        guide.append(
            [
                column.name,
                "si / yes" if column.required else "no",
                column.codes or "",
                column.es,
                column.en,
            ]
        )
        data.column_dimensions[get_column_letter(index)].width = max(14, len(column.name) + 2)
        if column.codes and column.value != "list":
            letter = get_column_letter(used.index(column.codes) + 1)
            size = len(codes(column.codes)) + 1
            check = DataValidation(type="list", formula1=f"codigos!${letter}$2:${letter}${size}")
            check.add(f"{get_column_letter(index)}2:{get_column_letter(index)}{MAX_ROWS + 1}")
            data.add_data_validation(check)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
