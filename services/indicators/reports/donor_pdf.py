"""The donor report as PDF: a cover, the logframe's summary table, then one page per indicator
with its target, result and percent, the report's table by sex and age group, a bar chart of
the table's totals, the table by sex and territory and one by sex and each of the program's
dimensions the logframe disaggregates by (domain brief, section 8).

Drawn with fpdf2's core font (Helvetica, Latin-1): Spanish accents render with no font file and
nothing is fetched at run time. Figures arrive already in their view, so a suppressed count is
printed as shown ("<5", a multiple of 5) and drawn as a bar of its shown value ("<5" as none,
labelled "<5"): the chart never tells more than the table beside it. A letter the core font
lacks (another program's "Niš", "Nikšić") is printed without its mark ("Nis"), never a failure.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF
from fpdf.fonts import FontFace

from services.indicators.attainment import Attainment, Cell, IndicatorFigures
from services.indicators.reports.labels import (
    UNIT_LABELS,
    age_sex_table,
    dimension_caption,
    dimension_table,
    sex_region_table,
    window_label,
)

FONT = "Helvetica"
HEADING = FontFace(emphasis="BOLD", fill_color=(221, 230, 240))
BAR = (52, 101, 164)
TABLE_HEADER = "Grupo de edad"
REGION_HEADER = "Territorio"


class _Report(FPDF):
    """fpdf2 with its core font, printing what the font's encoding lacks without its marks."""

    def normalize_text(self, text: str) -> str:
        return super().normalize_text(printable(text, self.core_fonts_encoding))


def printable(text: str, encoding: str) -> str:
    """`text` with each letter `encoding` lacks reduced to its base letter ("š" -> "s"), or "?"."""
    if text.isascii():
        return text
    out = []
    for c in text:
        try:
            c.encode(encoding)
        except UnicodeEncodeError:
            c = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
            c = c.encode(encoding, "replace").decode(encoding) or "?"
        out.append(c)
    return "".join(out)


def donor_report_pdf(attainment: Attainment) -> bytes:
    """The report for `attainment`'s period, region and view."""
    pdf = _Report(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(f"Informe al donante: {attainment.title}")
    pdf.set_creator("Pana")
    _cover(pdf, attainment)
    _summary(pdf, attainment)
    for i in attainment.indicators:
        _indicator(pdf, attainment, i)
    return bytes(pdf.output())


def count(cell: Cell | None) -> str:
    """A count as the report prints it: Spanish thousands separator; marks as they are."""
    if cell is None:
        return "-"
    if isinstance(cell, int):
        return f"{cell:,}".replace(",", ".")
    return cell


def percent(value: float | None) -> str:
    """A percent of target, Spanish decimal comma ("6,6 %"); "-" when there is none."""
    return "-" if value is None else f"{value:.1f} %".replace(".", ",")


def _cover(pdf: FPDF, a: Attainment) -> None:
    pdf.add_page()
    pdf.set_y(80)
    pdf.set_font(FONT, "B", 22)
    _line(pdf, 11, "Informe al donante", align="CENTER")
    pdf.ln(6)
    pdf.set_font(FONT, "", 14)
    _line(pdf, 8, a.title, align="CENTER")
    pdf.ln(10)
    pdf.set_font(FONT, "", 11)
    _line(pdf, 6, window_label(a), align="CENTER")
    _line(pdf, 6, f"Versión del marco lógico: {a.logframe}", align="CENTER")
    if a.rebuilding is not None:  # partial figures must never pass for whole ones
        pdf.ln(8)
        pdf.set_font(FONT, "B", 12)
        pdf.set_text_color(180, 0, 0)
        _line(
            pdf, 7, f"RECONSTRUYENDO: cifras parciales ({a.rebuilding.read} de "
            f"{a.rebuilding.of} registros leídos)", align="CENTER",
        )  # fmt: skip
        pdf.set_text_color(0, 0, 0)


def _summary(pdf: FPDF, a: Attainment) -> None:
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    _line(pdf, 8, "Resumen del marco lógico")
    pdf.set_font(FONT, "", 9)
    _line(pdf, 5, window_label(a))
    pdf.ln(3)
    with pdf.table(
        col_widths=(20, 86, 18, 22, 22, 22),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=HEADING,
        line_height=4.5,
    ) as table:
        table.row(["Indicador", "Descripción", "Unidad", "Meta", "Resultado", "% de la meta"])
        for i in a.indicators:
            table.row([i.id, i.title_in("es"), UNIT_LABELS.get(i.unit, i.unit), count(i.target),
                       count(i.value), percent(i.percent)])  # fmt: skip


def _indicator(pdf: FPDF, a: Attainment, i: IndicatorFigures) -> None:
    pdf.add_page()
    pdf.set_font(FONT, "B", 12)
    _line(pdf, 6, f"{i.id}: {i.title_in('es')}")
    pdf.set_font(FONT, "", 8)
    _line(pdf, 4, window_label(a))
    pdf.ln(2)
    pdf.set_font(FONT, "", 9)
    with pdf.table(col_widths=(30, 30, 30, 30), width=120, align="LEFT",
                   text_align="RIGHT", headings_style=HEADING, line_height=5) as table:  # fmt: skip
        table.row(["Indicador", "Meta", "Resultado", "% de la meta"])
        table.row([i.id, count(i.target), count(i.value), percent(i.percent)])
    unit = UNIT_LABELS.get(i.unit, i.unit)
    header, rows = age_sex_table(i)
    _caption(pdf, f"Número de {unit} por sexo y grupo de edad")
    _grid(pdf, TABLE_HEADER, header, rows)
    _caption(pdf, f"Total de {unit} por grupo de edad")
    _bars(pdf, [(label, cells[-1]) for label, cells in rows[:-1]])
    header, rows = sex_region_table(i)
    _caption(pdf, f"Número de {unit} por sexo y territorio")
    _grid(pdf, REGION_HEADER, header, rows)
    for t in i.dimensions:
        header, rows = dimension_table(t)
        _caption(pdf, dimension_caption(unit, t))
        _grid(pdf, t.labels.get("es", t.dimension), header, rows)


def _line(pdf: FPDF, height: float, text: str, align: str = "LEFT") -> None:
    """A paragraph across the page, the next one starting at the left margin below it."""
    pdf.multi_cell(0, height, text, align=align, new_x="LMARGIN", new_y="NEXT")


def _caption(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", 10)
    _line(pdf, 6, text)
    pdf.set_font(FONT, "", 9)


def _grid(pdf: FPDF, first: str, header: list[str], rows: list[tuple[str, list[Cell]]]) -> None:
    widths = (62, *(22 for _ in header))
    align = ("LEFT", *("RIGHT" for _ in header))
    with pdf.table(col_widths=widths, width=sum(widths), align="LEFT", headings_style=HEADING,
                   text_align=align, line_height=5) as table:  # fmt: skip
        table.row([first, *header])
        for label, cells in rows:
            style = FontFace(emphasis="BOLD") if label == "Total" else None
            table.row([label, *(count(c) for c in cells)], style=style)


def _bars(pdf: FPDF, bars: list[tuple[str, Cell]]) -> None:
    """Horizontal bars, one per row of the table, scaled to the largest shown value."""
    values = [n if isinstance(n, int) else 0 for _, n in bars]
    top = max(values, default=0) or 1
    left, label_width, width, height = pdf.l_margin, 62, 100, 4.5
    pdf.set_font(FONT, "", 8)
    for (label, shown), value in zip(bars, values, strict=True):
        y = pdf.get_y()
        pdf.set_xy(left, y)
        pdf.cell(label_width, height, label)
        length = width * value / top
        if length > 0:
            pdf.set_fill_color(*BAR)
            pdf.rect(left + label_width, y + 0.7, length, height - 1.4, style="F")
        pdf.set_xy(left + label_width + length + 1.5, y)
        pdf.cell(20, height, count(shown))
        pdf.set_y(y + height + 0.8)
    pdf.set_font(FONT, "", 9)
    pdf.set_fill_color(255, 255, 255)  # tables fill their cells with the current colour
