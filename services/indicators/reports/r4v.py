"""The R4V 5W report (domain brief, section 9): per RMRP activity, territory and month, people
reached disaggregated women / men / girls / boys / other, with both figures R4V defines:

- **monthly**: unique people reached in the month (never summed over months);
- **consolidated**: unique people reached from 1 January of the month's year to the month's
  end, each counted once however many months they were reached in (partners approximate it
  with the maximum per project and district, then the sum; here it is counted exactly).

Who is reached, and when. A person reached by an indicator is one the indicator counts (merged
records being one; every requirement met by a live act); they are *reached* by each of their
live acts at or after the moment all requirements hold, in that act's month, region and admin2
(the province the act names; acts naming none make the rows with Admin2 empty). A
person's sex is their current one; their age is taken at their first act counted in the row
(the month's, or the year-to-date's): under 18 by sex makes girls and boys, "other" is
non-binary, or sex or birth month not known. A person's population type is their current
recorded one (registration, correction), else the program's `r4v.population_type`; rows are
split by it. Rows are only the indicators the program file's `r4v:` maps (or an indicator's own
`r4v:`, `Logframe.r4v_activities`), and only the months of the logframe's period in the asked
year.

Pure: from a ledger, like `attainment`. The figures are exact; the route serves them to M&E
staff only (the consolidated windows are not the published periods of the suppressed view).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from program.ages import minors
from program.load import current_program
from program.model import Program
from program.r4v import R4V
from services.indicators.attainment import act_order
from services.indicators.dimensions import POPULATION_TYPE
from services.indicators.facts import Act
from services.indicators.ledger import Ledger
from services.indicators.logframe import Indicator, Logframe
from services.indicators.people import People
from services.indicators.reports.labels import REGION_LABELS

GROUPS = ["women", "men", "girls", "boys", "other"]
HEADER = [
    "Country", "Admin1", "Admin2", "Appealing organisation", "Implementing organisation",
    "Sector", "RMRP indicator", "Activity", "Month", "Population type", "Logframe indicator",
    *(f"Monthly {g}" for g in GROUPS), "Monthly total",
    *(f"Consolidated {g}" for g in GROUPS), "Consolidated total",
]  # fmt: skip


class NoR4V(ValueError):
    """The logframe has no indicator the program reports to R4V (or the program no `r4v:`)."""


@dataclass(frozen=True)
class FiveWRow:
    """One activity in one territory and month, with both figures by population group."""

    indicator: str
    region: str
    month: str
    population_type: str
    monthly: dict[str, int]
    consolidated: dict[str, int]
    admin2: str = ""
    """The province (admin2) of the acts counted, "" for the acts that named none."""


def group(sex: str, age_group: str) -> str:
    """R4V's population group of a person: women, men, girls, boys, other (girls and boys: the
    program's age bands wholly under 18, `program.ages.minors`)."""
    bands = current_program().age_groups
    if sex not in ("woman", "man") or all(b.code != age_group for b in bands):
        return "other"
    minor = age_group in minors(bands)
    return ("girls" if minor else "women") if sex == "woman" else ("boys" if minor else "men")


def five_w(
    logframe: Logframe, ledger: Ledger, year: int, program: Program | None = None
) -> list[FiveWRow]:
    """The 5W rows of `year`: every mapped indicator x region x population type x month with
    someone reached in the month or in the year to date (`program`: the deployment's)."""
    default = _reporting(logframe, program or current_program()).population_type
    first = max(logframe.period.start, date(year, 1, 1))
    last = min(logframe.period.end, date(year, 12, 31))
    months = [f"{year:04d}-{m:02d}" for m in range(first.month, last.month + 1) if first <= last]
    people, zone = People(ledger), logframe.zone
    activities = logframe.r4v_activities()
    mapped = [i for i in logframe.all_indicators if i.id in activities]
    by_indicator: dict[str, dict[str, list[Act]]] = {i.id: {} for i in mapped}
    for act in ledger.live_acts():
        if act.indicator in by_indicator:
            subject = people.person(act.participant_id)
            by_indicator[act.indicator].setdefault(subject, []).append(act)
    rows = []
    for indicator in mapped:
        # (region, admin2, population type, month) -> person -> first reach in that month
        reached: dict[tuple[str, str, str, str], dict[str, date]] = {}
        for person, acts in by_indicator[indicator.id].items():
            kind = people.attribute(person, POPULATION_TYPE) or default
            for act in _reaching(indicator, acts):
                on = act.occurred_at.astimezone(zone).date()
                month = f"{on.year:04d}-{on.month:02d}"
                if on.year == year and month in months:
                    place = (act.region, act.admin2, kind, month)
                    reached.setdefault(place, {}).setdefault(person, on)
        for region, admin2, kind in sorted({(r, a, k) for r, a, k, _ in reached}):
            so_far: dict[str, date] = {}
            for month in months:
                this_month = reached.get((region, admin2, kind, month), {})
                for person, on in this_month.items():
                    so_far.setdefault(person, on)
                if not so_far:
                    continue
                rows.append(FiveWRow(
                    indicator.id, region, month, kind,
                    _groups(people, this_month), _groups(people, so_far), admin2,
                ))  # fmt: skip
    return rows


def _reporting(logframe: Logframe, program: Program) -> R4V:
    if program.r4v is None or not logframe.r4v_activities():
        raise NoR4V(f"logframe {logframe.key} has no indicator reported to R4V")
    return program.r4v


def _reaching(indicator: Indicator, acts: list[Act]) -> list[Act]:
    """A person's acts that reach them: those at or after all requirements hold, in order."""
    acts = sorted(acts, key=act_order)
    first: dict[int, Act] = {}
    for act in acts:
        first.setdefault(act.requirement, act)
    if len(first) < len(indicator.requires):
        return []
    all_met = max(a.order for a in first.values())
    return [a for a in acts if a.order >= all_met]


def _groups(people: People, reached: dict[str, date]) -> dict[str, int]:
    counts = Counter(group(people.sex(p), people.age_group(p, on)) for p, on in reached.items())
    return {g: counts[g] for g in GROUPS}


def _lines(logframe: Logframe, rows: list[FiveWRow], program: Program) -> list[list[object]]:
    org = _reporting(logframe, program)
    kinds = {t.code: t.labels.en for t in program.population_types}
    admin2 = {t.code: t.labels.es for t in program.territories.admin2()}
    activities = logframe.r4v_activities()
    out: list[list[object]] = []
    for row in rows:
        activity = activities[row.indicator]
        monthly, consolidated = (
            [row.monthly[g] for g in GROUPS],
            [row.consolidated[g] for g in GROUPS],
        )
        out.append([
            org.country, REGION_LABELS.get(row.region, row.region),
            admin2.get(row.admin2, row.admin2),
            org.appealing_organisation, org.implementing_organisation, activity.sector,
            activity.indicator, activity.activity, row.month,
            kinds.get(row.population_type, row.population_type),
            row.indicator, *monthly, sum(monthly), *consolidated, sum(consolidated),
        ])  # fmt: skip
    return out


def five_w_csv(logframe: Logframe, rows: list[FiveWRow], program: Program | None = None) -> str:
    """The 5W as CSV, one line per activity, territory and month."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(_lines(logframe, rows, program or current_program()))
    return out.getvalue()


def five_w_xlsx(logframe: Logframe, rows: list[FiveWRow], program: Program | None = None) -> bytes:
    """The 5W as a workbook: one sheet `5W`, the header frozen, widths and number formats set."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "5W"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    for line in _lines(logframe, rows, program or current_program()):
        sheet.append(line)
        for cell in sheet[sheet.max_row][11:]:
            cell.number_format = "#,##0"
    sheet.freeze_panes = "A2"
    widths = [10, 16, 10, 26, 26, 14, 40, 40, 10, 16, 12, *([12] * 12)]
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
