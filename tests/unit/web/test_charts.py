"""The dashboard's charts, drawn on the server: one bar per month up to today (the last 24),
the running total as a line, hidden counts drawn as nothing rather than guessed."""

from __future__ import annotations

from web.charts import MAX_BARS, buckets, chart

INDICATOR = {
    "id": "OE2.7",
    "months": [
        {"month": f"2025-{m:02d}", "new": m, "cumulative": m * (m + 1) // 2} for m in range(1, 13)
    ]
    + [{"month": "2026-01", "new": "<5", "cumulative": "<5"}],
}


def test_bars_stop_at_the_day_the_figures_are_read() -> None:
    shown = buckets(INDICATOR, "month", "2025-06-30")
    assert [b["label"] for b in shown] == ["01/25", "02/25", "03/25", "04/25", "05/25", "06/25"]


def test_at_most_the_last_twenty_four_bars() -> None:
    long = {"months": [{"month": f"{2020 + m // 12}-{m % 12 + 1:02d}", "new": 1, "cumulative": m}
                       for m in range(40)]}  # fmt: skip
    shown = buckets(long, "month", "2030-01-01")
    assert len(shown) == MAX_BARS and shown[-1]["label"] == "04/23"


def test_the_svg_names_itself_and_escapes_and_formats_its_texts() -> None:
    svg = chart(INDICATOR, "month", "2026-01-31", "es")
    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert 'aria-label="Nuevos por mes (barras) y acumulado (línea)"' in svg
    assert svg.count('<rect class="col"') == 13
    assert "01/26: &lt;5 nuevos, &lt;5 acumulado" in svg  # a hidden count stays hidden
    assert "12/25: 12 nuevos, 78 acumulado" in svg
    assert svg.count(",") > 12  # the line's points
