"""Tables by a program dimension, and share targets checked as shares ("85% Roma").

A share is read from the same tables the figure shows: the subjects with one of its values
(the `total` row of the dimension's table, or the sex rows' totals for `sex`), as a percent of
the indicator's value. In a suppressed view both are the published counts, so the percent
reveals nothing the tables do not; a count shown as "<5" gives no percent.
"""

from __future__ import annotations

from dataclasses import dataclass

from access import disclosure
from services.indicators.logframe import Share

TOTAL = "total"


@dataclass(frozen=True)
class DimensionTable:
    """Sex rows by the values of one dimension (with totals), and the labels to show them."""

    dimension: str
    labels: dict[str, str]
    """The dimension's name per language."""
    sensitive: bool
    """Published under the small-cell rule outside the exact view (`suppression`)."""
    value_labels: dict[str, dict[str, str]]
    """Each value's name per language (`unknown`: no value recorded)."""
    sex: dict[str, dict[str, int | str]]


@dataclass(frozen=True)
class ShareFigure:
    """A share target and where the figure stands against it."""

    dimension: str
    values: list[str]
    at_least: float
    count: int | str
    percent: float | None
    """The count as a percent of the indicator's value (None when a part is hidden or the
    value is zero); with a hidden part, `count` is the sum of the shown ones."""
    met: bool | None


def share_figures(
    shares: list[Share],
    value: int | str,
    sex_table: dict[str, dict[str, int | str]],
    tables: list[DimensionTable],
) -> list[ShareFigure]:
    """Each share target with its count and percent, from the tables as shown."""
    by_name = {t.dimension: t.sex.get(TOTAL, {}) for t in tables}
    sex_totals = {s: row.get(TOTAL, 0) for s, row in sex_table.items() if s != TOTAL}
    found = []
    for share in shares:
        row = sex_totals if share.dimension == "sex" else by_name.get(share.dimension, {})
        cells = [row.get(v, 0) for v in share.values]
        shown = [int(c) for c in cells if c != disclosure.SMALL]
        hidden = len(shown) < len(cells)
        count: int | str = sum(shown) if shown else disclosure.SMALL
        percent = None
        if not hidden and value != disclosure.SMALL and int(value) > 0:
            percent = round(100 * int(count) / int(value), 1)
        met = None if percent is None else percent >= share.at_least
        found.append(ShareFigure(share.dimension, list(share.values), share.at_least, count,
                                 percent, met))  # fmt: skip
    return found
