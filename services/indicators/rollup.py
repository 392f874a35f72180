"""Life of project in one table: each program year and the whole phase, in unique people.

A donor reads a phase's logframe as Year 1 | Year 2 | life of project, each against its own
target. Each column is the figure of its own window (`attainment`: unique people within it), so
the phase column is not the years' sum: someone served in both years is in both year columns
and once in the phase. The columns come from reads of the same revision, in the caller's view
(a year is a published period, so every audience may ask). Pure; the route is `api.py`'s.
"""

from __future__ import annotations

from typing import Any

from services.indicators.attainment import Attainment, IndicatorFigures
from services.indicators.logframe import Logframe


def rollup(logframe: Logframe, years: list[Attainment], phase: Attainment) -> dict[str, Any]:
    """The table: per indicator, each year's and the phase's value, target and percent."""

    def cell(figures: IndicatorFigures) -> dict[str, Any]:
        return {"value": figures.value, "target": figures.target, "percent": figures.percent}

    by_year = [{i.id: i for i in year.indicators} for year in years]
    return {
        "logframe": logframe.key,
        "title": logframe.title,
        "region": phase.region,
        "view": phase.view,
        "years": [{"label": y.label, "from": y.start, "to": y.end} for y in logframe.years],
        "phase": {"from": phase.start, "to": phase.end},
        "indicators": [
            {
                "id": i.id,
                "title": i.title,
                "unit": i.unit,
                "sensitive": i.sensitive,
                "years": [
                    {"label": y.label, **cell(figures[i.id])}
                    for y, figures in zip(logframe.years, by_year, strict=True)
                ],
                "phase": cell(i),
            }
            for i in phase.indicators
        ],
    }
