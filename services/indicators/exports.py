"""The donor tables as files: CSV (one long table) and XLSX (a summary sheet, one per indicator),
each with value, percent, sex x age, region, sex x region and months.

Tables by the program's dimensions (`sex_<dimension>`) and share targets (`share_<dimension>`)
follow the built-in tables when the logframe has them.

Both take figures already in their view, so an export never shows more than the screen would:
suppressed marks ("<5", "x") are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook
from openpyxl.styles import Font

from services.indicators.attainment import Attainment, IndicatorFigures
from services.indicators.indirect import IndirectFigures

CSV_HEADER = ["logframe", "indicator", "title", "unit", "target", "table", "row", "column", "count"]
SEX_LABELS = {"woman": "Mujeres", "man": "Hombres", "non_binary": "No binario"}


def _rows(a: Attainment) -> Iterator[list[object]]:
    for i in a.indicators:
        head = [a.logframe, i.id, i.title, i.unit, i.target]
        yield [*head, "value", "", "", i.value]
        yield [*head, "percent_of_target", "", "", "" if i.percent is None else i.percent]
        for sex, read in i.by_sex.items():  # only for an indicator with sex targets
            yield [*head, "sex_target", sex, "target", read.target]
            yield [*head, "sex_target", sex, "value", read.value]
            yield [
                *head,
                "sex_target",
                sex,
                "percent",
                "" if read.percent is None else read.percent,
            ]
        for sex, row in i.sex_age.items():
            for age, n in row.items():
                yield [*head, "sex_age", sex, age, n]
        for region, n in i.regions.items():
            yield [*head, "region", region, "", n]
        for sex, row in i.sex_region.items():
            for region, n in row.items():
                yield [*head, "sex_region", sex, region, n]
        for m in i.months:
            yield [*head, "month", m.month, "new", m.new]
            yield [*head, "month", m.month, "cumulative", m.cumulative]
        for t in i.dimensions:
            for sex, row in t.sex.items():
                for value, n in row.items():
                    yield [*head, f"sex_{t.dimension}", sex, value, n]
        for s in i.shares:
            table, values = f"share_{s.dimension}", "+".join(s.values)
            yield [*head, table, values, "at_least", s.at_least]
            yield [*head, table, values, "count", s.count]
            yield [*head, table, values, "percent", "" if s.percent is None else s.percent]
    yield from _indirect_rows(a)


def _indirect_rows(a: Attainment) -> Iterator[list[object]]:
    """The indirect figure's rows (unit `headcount`): after the indicators, never among them."""
    d = a.indirect
    if d is None:
        return
    head = [a.logframe, d.id, d.title, d.unit, d.target]
    yield [*head, "value", "", "", d.value]
    yield [*head, "percent_of_target", "", "", d.percent]
    yield [*head, "activities", "", "", d.activities]
    for sex, row in d.sex_age.items():
        for age, n in row.items():
            yield [*head, "sex_age", sex, age, n]
    for region, n in d.regions.items():
        yield [*head, "region", region, "", n]
    for kind, n in d.by_kind.items():
        yield [*head, "kind", kind, "", n]
    for m in d.months:
        yield [*head, "month", m.month, "new", m.new]
        yield [*head, "month", m.month, "cumulative", m.cumulative]


def donor_csv(attainment: Attainment) -> str:
    """Every figure as one row: indicator, table, row, column, count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(_rows(attainment))
    return out.getvalue()


def donor_xlsx(attainment: Attainment) -> bytes:
    """A workbook: `Summary` (value against target) and one sheet per indicator."""
    book = Workbook()
    summary = book.active
    assert summary is not None  # a new workbook always has its first sheet
    summary.title = "Summary"
    summary.append([attainment.title])
    window = f"{attainment.start.isoformat()} to {attainment.end.isoformat()}"
    summary.append([window, f"region: {attainment.region or 'all'}", f"view: {attainment.view}"])
    summary.append(["indicator", "title", "unit", "target", "value", "percent of target"])
    for i in attainment.indicators:
        summary.append([i.id, i.title, i.unit, i.target, i.value, i.percent])
    d = attainment.indirect
    if d is not None:  # its own row, below the unique people, never summed with them
        summary.append([d.id, d.title, d.unit, d.target, d.value, d.percent])
    for row in (1, 3):
        for cell in summary[row]:
            cell.font = Font(bold=True)
    if attainment.rebuilding is not None:  # partial figures must never pass for whole ones
        done = attainment.rebuilding
        summary.append([f"REBUILDING: partial figures ({done.read} of {done.of} records read)"])
    for i in attainment.indicators:
        _indicator_sheet(book, i)
    if d is not None:
        _indirect_sheet(book, d)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _indicator_sheet(book: Workbook, i: IndicatorFigures) -> None:
    sheet = book.create_sheet(i.id.replace("/", "-")[:31])
    sheet.append([i.id, i.title])
    sheet.append(["target", i.target, "value", i.value, "percent", i.percent])
    for sex, read in i.by_sex.items():  # only for an indicator with sex targets
        label = SEX_LABELS.get(sex, sex)
        sheet.append([f"target {label}", read.target, "value", read.value, "percent", read.percent])
    sheet.append([])
    ages = list(next(iter(i.sex_age.values())))
    sheet.append(["sex \\ age group", *ages])
    for sex, row in i.sex_age.items():
        sheet.append([SEX_LABELS.get(sex, sex), *(row[a] for a in ages)])
    sheet.append([])
    sheet.append(["region", "count"])
    for region, n in i.regions.items():
        sheet.append([region, n])
    if i.sex_region:
        sheet.append([])
        regions = list(next(iter(i.sex_region.values())))
        sheet.append(["sex \\ region", *regions])
        for sex, row in i.sex_region.items():
            sheet.append([SEX_LABELS.get(sex, sex), *(row[r] for r in regions)])
    sheet.append([])
    sheet.append(["month", "new", "cumulative"])
    for m in i.months:
        sheet.append([m.month, m.new, m.cumulative])
    for t in i.dimensions:
        sheet.append([])
        values = list(t.sex.get("total", {}))
        sheet.append([f"sex \\ {t.dimension}", *values])
        for sex, row in t.sex.items():
            sheet.append([SEX_LABELS.get(sex, sex), *(row[v] for v in values)])
    if i.shares:
        sheet.append([])
        sheet.append(["share of", "values", "at least (%)", "count", "percent", "met"])
        for s in i.shares:
            met = "" if s.met is None else ("yes" if s.met else "no")
            sheet.append([s.dimension, "+".join(s.values), s.at_least, s.count, s.percent, met])


def _indirect_sheet(book: Workbook, d: IndirectFigures) -> None:
    sheet = book.create_sheet(d.id.replace("/", "-")[:31])
    sheet.append([d.id, d.title])
    sheet.append(["target", d.target, "value", d.value, "percent", d.percent])
    sheet.append(["unit", d.unit, "activities", d.activities, "kinds", ", ".join(d.kinds)])
    ages = list(next(iter(d.sex_age.values())))
    sheet.append(["sex \\ age group", *ages])
    for sex, row in d.sex_age.items():
        sheet.append([SEX_LABELS.get(sex, sex), *(row[a] for a in ages)])
    sheet.append([])
    sheet.append(["region", "count"])
    for region, n in d.regions.items():
        sheet.append([region, n])
    sheet.append([])
    sheet.append(["kind", "count"])
    for kind, n in d.by_kind.items():
        sheet.append([kind, n])
    sheet.append([])
    sheet.append(["month", "new", "cumulative"])
    for m in d.months:
        sheet.append([m.month, m.new, m.cumulative])
