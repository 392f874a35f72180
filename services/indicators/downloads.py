"""The downloads' renderers, imported when a download is first asked for.

openpyxl and fpdf2 (with fontTools, Pillow and numpy behind them) are about 40 % of the
service's import time: every start paid it (`make up`, a rolling restart, each test that starts
the service as a process) for files that few ask for, and only once they do. Each function here
is its renderer's signature; the renderer's module says what it writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from program.model import Program
    from services.indicators.attainment import Attainment
    from services.indicators.ledger import Ledger
    from services.indicators.logframe import Logframe
    from services.indicators.reports.r4v import FiveWRow


def donor_csv(attainment: Attainment) -> str:
    from services.indicators.exports import donor_csv as render

    return render(attainment)


def donor_xlsx(attainment: Attainment) -> bytes:
    from services.indicators.exports import donor_xlsx as render

    return render(attainment)


def donor_report_xlsx(attainment: Attainment) -> bytes:
    from services.indicators.reports.donor_xlsx import donor_report_xlsx as render

    return render(attainment)


def donor_report_pdf(attainment: Attainment) -> bytes:
    from services.indicators.reports.donor_pdf import donor_report_pdf as render

    return render(attainment)


def five_w(
    logframe: Logframe, ledger: Ledger, year: int, program: Program | None = None
) -> list[FiveWRow]:
    from services.indicators.reports.r4v import five_w as rows

    return rows(logframe, ledger, year, program)


def five_w_csv(logframe: Logframe, rows: list[FiveWRow], program: Program | None = None) -> str:
    from services.indicators.reports.r4v import five_w_csv as render

    return render(logframe, rows, program)


def five_w_xlsx(logframe: Logframe, rows: list[FiveWRow], program: Program | None = None) -> bytes:
    from services.indicators.reports.r4v import five_w_xlsx as render

    return render(logframe, rows, program)
