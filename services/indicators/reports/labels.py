"""Spanish labels of the report's categories (domain brief, sections 2, 3 and 8).

The report never shows a code (`early_childhood`, a region's): every row and column is named
here, regions and age groups by the program file's Spanish labels (an age group with its ages).
"Sin dato" (no data) stands for a person whose sex or birth month is not known yet; its row or
column appears only when its published total is a count above zero, so the exact table adds up
to its total.
"""

from __future__ import annotations

from program.ages import span
from program.load import current_program
from services.indicators.attainment import TOTAL, Attainment, Cell, IndicatorFigures
from services.indicators.people import UNKNOWN
from services.indicators.shares import DimensionTable

SEX_LABELS = {
    "woman": "Mujeres",
    "man": "Hombres",
    "non_binary": "No binario",
    UNKNOWN: "Sin dato",
    TOTAL: "Total",
}
"""The donor tables' own headings (plural); a sex the program adds is named by its file label."""


def age_labels() -> dict[str, str]:
    """The age groups' row labels: the program's bands in file order, each with its ages
    (`Niñez (6 - 11 años)`, `Adultos/as mayores (60 y más años)`), then unknown and total."""
    bands = current_program().age_groups
    labels = {}
    for band in bands:
        first, last = span(bands, band.code)
        ages = f"{first} y más años" if last is None else f"{first} - {last} años"
        labels[band.code] = f"{band.labels.es} ({ages})"
    return labels | {UNKNOWN: "Edad sin dato", TOTAL: "Total"}


def sex_label(code: str) -> str:
    """A sex's heading: the report's own (`SEX_LABELS`), else the program file's Spanish label."""
    named = {s.code: s.labels.es for s in current_program().sexes} | SEX_LABELS
    return named.get(code, code)


AGE_LABELS = age_labels()
"""The age labels of the program this process started with (`age_labels`: the current one)."""
REGION_LABELS = {t.code: t.labels.es for t in current_program().recorded()}
UNIT_LABELS = {"people": "personas", "cases": "casos"}
VIEW_LABELS = {"exact": "cifras exactas", "suppressed": "cifras con control de divulgación"}


def _shown(cell: Cell) -> bool:
    """Whether an unknown row or column holds someone, judged from the published value only
    (a "<5" would otherwise tell that a suppressed cell is not zero)."""
    return isinstance(cell, int) and cell != 0


def age_sex_table(i: IndicatorFigures) -> tuple[list[str], list[tuple[str, list[Cell]]]]:
    """The report's table: header (sex labels) and rows (age label, cells), total row last.

    Rows are the age groups, columns the sexes then Total: the API's `sex_age` transposed.
    """
    sexes = [s for s in i.sex_age if s != TOTAL]
    ages = [a for a in i.sex_age[TOTAL] if a != TOTAL]
    sexes = [s for s in sexes if s != UNKNOWN or _shown(i.sex_age[s][TOTAL])]
    ages = [a for a in ages if a != UNKNOWN or _shown(i.sex_age[TOTAL][a])]
    columns = [*sexes, TOTAL]
    header = [sex_label(s) for s in columns]
    named = age_labels()
    rows = [(named.get(a, a), [i.sex_age[s][a] for s in columns]) for a in [*ages, TOTAL]]
    return header, rows


def sex_region_table(i: IndicatorFigures) -> tuple[list[str], list[tuple[str, list[Cell]]]]:
    """Sex x territory: header (sex labels) and rows (territory, cells), total row last."""
    sexes = [s for s in i.sex_region if s != TOTAL]
    sexes = [s for s in sexes if s != UNKNOWN or _shown(i.sex_region[s][TOTAL])]
    columns = [*sexes, TOTAL]
    header = [sex_label(s) for s in columns]
    regions = list(i.sex_region[TOTAL])
    rows = [
        (REGION_LABELS.get(r, "Total" if r == TOTAL else r), [i.sex_region[s][r] for s in columns])
        for r in regions
    ]
    return header, rows


def dimension_table(t: DimensionTable) -> tuple[list[str], list[tuple[str, list[Cell]]]]:
    """Sex x one of the program's dimensions (population type, an attribute, an admin level):
    header (sex labels) and rows (the values' Spanish labels from the program file, cells),
    total row last; a value nobody has recorded ("Sin dato") only when its total holds someone.

    The cells are the answer's own (`dimensions` in `/attainment`): a sensitive dimension's
    arrive under the small-cell rule outside the exact view, and are written as shown.
    """
    sexes = [s for s in t.sex if s != TOTAL]
    sexes = [s for s in sexes if s != UNKNOWN or _shown(t.sex[s][TOTAL])]
    columns = [*sexes, TOTAL]
    header = [sex_label(s) for s in columns]
    values = [v for v in t.sex[TOTAL] if v != TOTAL]
    values = [v for v in values if v != UNKNOWN or _shown(t.sex[TOTAL][v])]
    named = {v: labels.get("es", v) for v, labels in t.value_labels.items()}
    named |= {UNKNOWN: "Sin dato", TOTAL: "Total"}
    rows = [(named.get(v, v), [t.sex[s][v] for s in columns]) for v in [*values, TOTAL]]
    return header, rows


def dimension_caption(unit: str, t: DimensionTable) -> str:
    """The table's title: what it counts, by sex and the dimension, and whether it is protected."""
    name = t.labels.get("es", t.dimension)
    caption = f"Número de {unit} por sexo y {name[:1].lower()}{name[1:]}"
    return caption + (" (dato protegido)" if t.sensitive else "")


def window_label(a: Attainment) -> str:
    """The period the figures cover, as the report states it."""
    where = REGION_LABELS.get(a.region, a.region) if a.region else "nacional"
    return (
        f"Del {a.start.strftime('%d/%m/%Y')} al {a.end.strftime('%d/%m/%Y')} · {where} · "
        f"{VIEW_LABELS.get(a.view, a.view)}"
    )
