"""The indicators dashboard's chart, drawn on the server: per indicator, bars of what was new
each month (each year for periods past two years) and a line of the running total, as inline
SVG. No script draws it, so it shows with scripts off and costs the phone nothing."""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from web.i18n import format_number, translate

MAX_BARS = 24
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 320, 140, 6, 6, 22, 18


def _number(value: object) -> float:
    """A count, or 0 for what the suppressed view hides (`<5`) or leaves out."""
    return float(value) if isinstance(value, int | float) else 0.0


def buckets(indicator: dict[str, Any], series: str, as_of: str) -> list[dict[str, Any]]:
    """The last `MAX_BARS` months (or years) up to `as_of`: label, new, cumulative."""
    if series == "month":
        found = [{"label": f"{m['month'][5:7]}/{m['month'][2:4]}", "new": m["new"],
                  "cumulative": m["cumulative"]}
                 for m in indicator.get("months") or [] if m["month"] <= as_of[:7]]  # fmt: skip
    else:
        found = [{"label": str(y["year"]), "new": y["new"], "cumulative": y["cumulative"]}
                 for y in indicator.get("years") or [] if str(y["year"]) <= as_of[:4]]  # fmt: skip
    return found[-MAX_BARS:]


def _count(value: object, language: str) -> str:
    return format_number(value, language) if isinstance(value, int | float) else str(value)


def chart(indicator: dict[str, Any], series: str, as_of: str, language: str) -> str:
    """The SVG of one indicator (markup made here, every text escaped; `| safe` in pages)."""
    shown = buckets(indicator, series, as_of)
    width = (WIDTH - LEFT - RIGHT) / max(1, len(shown))
    plot = HEIGHT - TOP - BOTTOM
    top_new = max([1.0, *(_number(b["new"]) for b in shown)])
    top_total = max([1.0, *(_number(b["cumulative"]) for b in shown)])
    new_word = translate(language, "dashboard.new")
    total_word = translate(language, "dashboard.cumulative")
    parts, points = [], []
    step = max(1, -(-34 // max(1, int(width))))  # a label needs about 30 units of width
    for i, b in enumerate(shown):
        high = _number(b["new"]) / top_new * plot
        x = LEFT + i * width
        tip = (f"{b['label']}: {_count(b['new'], language)} {new_word},"
               f" {_count(b['cumulative'], language)} {total_word}")  # fmt: skip
        parts.append(
            f'<rect class="col" x="{x + 1:.1f}" y="{HEIGHT - BOTTOM - high:.1f}"'
            f' width="{max(1.0, width - 2):.1f}" height="{high:.1f}">'
            f"<title>{escape(tip)}</title></rect>"
        )
        if isinstance(b["cumulative"], int | float):
            y = HEIGHT - BOTTOM - b["cumulative"] / top_total * plot
            points.append(f"{x + width / 2:.1f},{y:.1f}")
        if (len(shown) - 1 - i) % step == 0:
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{HEIGHT - 5}" text-anchor="middle">'
                f"{escape(b['label'])}</text>"
            )
    unit = translate(language, f"dashboard.unit.{series}")
    label = translate(language, "dashboard.chart_aria", unit=unit)
    line = f'<polyline points="{" ".join(points)}" fill="none" stroke="#0f766e" stroke-width="2"/>'
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-label="{escape(label)}" data-series="{series}">{"".join(parts)}{line}</svg>'
    )
