"""Benchmark 6: the dashboard's first paint with a program year's data behind it (issue 27).

A program year (`bench.program_year`: Year 2's people and acts, by default 26,500 people, the
logframe's DIRECT target) is published to Kafka and projected into a fresh read model; the
indicators service then serves it as a process, its consumer at the end of the year. Debian's
chromium, driven by Playwright as the web tests drive it (`tests/e2e/indicators/browser.py`),
opens `/dashboard` in a new browser context each time (nothing cached) at desktop and at phone
width, and reads what the browser itself timed, from the navigation's start:

- first paint and first contentful paint (`PerformanceObserver`, `paint` entries);
- the cards painted: the first frame after the indicator cards entered the page, i.e. the
  figures a manager reads (the static header paints before any answer arrives, so first
  contentful paint alone would say nothing about the data);
- the charts drawn (the page's second answer, the series sized to the window).

and the size in bytes of every answer the page read (`PerformanceResourceTiming`: body as
received and decoded). The figure is the cards' paint at desktop width; the target is the issue's
1 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import statistics
import sys
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import uvloop
from playwright.async_api import Browser, ViewportSize, async_playwright

from bench import dashboard_reads, events, program_year, rebuild
from bench.figures import Figure, Samples
from bench.infrastructure import Servers, servers
from bench.machine import load_average
from bench.plan import FULL, QUICK, Plan
from deploy.local.secrets import ensure_local_secrets
from services.indicators import read_model
from tests.e2e.indicators.browser import launch
from tests.support.infrastructure import fresh_database

PREFIX = "benchyear"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
TARGET_MS = 1000.0
BUSY = ("Task", "Script", "RecalcStyle", "Layout")

OBSERVE = """
window.__timed = { paints: {}, lcp: null, cards: null, charts: null };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__timed.paints[e.name] = e.startTime;
}).observe({ type: "paint", buffered: true });
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__timed.lcp = e.startTime;
}).observe({ type: "largest-contentful-paint", buffered: true });
new MutationObserver((_, watcher) => {
  if (window.__timed.cards === null && document.querySelector("[data-indicator]")) {
    window.__timed.cards = -1;
    requestAnimationFrame(() => setTimeout(() => { window.__timed.cards = performance.now(); }));
  }
  if (document.body && document.body.dataset.loads && window.__timed.charts === null) {
    window.__timed.charts = performance.now();
    watcher.disconnect();
  }
}).observe(document, { subtree: true, childList: true, attributes: true });
"""
READ = """() => ({
  timed: window.__timed,
  answers: performance.getEntriesByType("resource")
    .concat(performance.getEntriesByType("navigation"))
    .filter((e) => e.responseEnd > 0)
    .map((e) => [e.name, e.encodedBodySize, e.decodedBodySize, e.startTime, e.responseEnd]),
})"""


@dataclass
class Loads:
    """What each page load of one width timed, in ms from the navigation's start."""

    first_paint: list[float] = field(default_factory=list)
    first_contentful: list[float] = field(default_factory=list)
    cards: list[float] = field(default_factory=list)
    charts: list[float] = field(default_factory=list)
    largest: list[float] = field(default_factory=list)
    answers: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Path and query -> (bytes received, bytes decoded), from the last load."""
    main_thread: list[dict[str, float]] = field(default_factory=list)
    """Chromium's own durations of the page's main-thread work, in ms (DevTools `Performance`
    metrics: tasks, of which script, style and layout), per load."""
    waits: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    """Path -> (asked at, answered at) in ms from the navigation's start, per load."""


async def _load(browser: Browser, url: str, viewport: ViewportSize, into: Loads) -> None:
    context = await browser.new_context(viewport=viewport)  # a cold cache every time
    try:
        page = await context.new_page()
        devtools = await context.new_cdp_session(page)
        await devtools.send("Performance.enable")
        await page.add_init_script(OBSERVE)
        await page.goto(url)
        await page.wait_for_function("window.__timed.cards > 0 && window.__timed.charts !== null")
        await page.wait_for_function("'first-contentful-paint' in window.__timed.paints")
        read: dict[str, Any] = await page.evaluate(READ)
        metrics = (await devtools.send("Performance.getMetrics"))["metrics"]
    finally:
        await context.close()
    timed = read["timed"]
    took = {m["name"]: float(m["value"]) * 1000 for m in metrics}
    into.main_thread.append({name: took.get(f"{name}Duration", 0.0) for name in BUSY})
    into.first_paint.append(
        timed["paints"].get("first-paint", timed["paints"]["first-contentful-paint"])
    )
    into.first_contentful.append(timed["paints"]["first-contentful-paint"])
    into.cards.append(timed["cards"])
    into.charts.append(timed["charts"])
    if timed["lcp"] is not None:
        into.largest.append(timed["lcp"])
    seen: set[str] = set()
    for name, received, decoded, asked, answered in read["answers"]:
        parts = urlsplit(name)
        if parts.path != "/stream":  # the live stream never ends: no size
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            while path in seen:  # asked again within one load: a preload the page did not use
                path += " (again)"
            seen.add(path)
            into.answers[path] = (int(received), int(decoded))
            into.waits.setdefault(path, []).append((asked, answered))


async def measure(found: Servers, plan: Plan, env: dict[str, str], say: Any) -> Figure:
    """Publish and project a program year, serve it, and load the dashboard `plan.repeats`
    times at each width."""
    year = await events.publish_envelopes(
        found.admin, "bench.year", program_year.envelopes(plan.year_people)
    )
    say(f"   a program year: {plan.year_people:,} people, {year.count:,} events")
    lf = rebuild.logframe()
    desktop, phone = Loads(), Loads()
    async with fresh_database(found.postgres, "bench_year") as url:
        await rebuild.project(found, year, url, read_model.consumer_of(lf, PREFIX))
        log = found.root / "logs" / "indicators-year.log"
        service = dashboard_reads.serving(url, year, env, log, PREFIX)
        with service.running():
            page = f"{service.url}/dashboard?logframe={lf.key}"
            async with async_playwright() as playwright:
                browser = await launch(playwright)
                try:
                    await _load(browser, page, DESKTOP, Loads())  # chromium's own first start
                    for _ in range(plan.repeats):
                        await _load(browser, page, DESKTOP, desktop)
                        await _load(browser, page, PHONE, phone)
                finally:
                    await browser.close()
    return _figure(plan, year.count, desktop, phone)


def _ms(values: list[float]) -> str:
    return Samples("ms", tuple(values)).summary() if values else "not reported by the browser"


def _waterfall(loads: Loads) -> str:
    rows = sorted(
        (statistics.median(a for a, _ in w), statistics.median(b for _, b in w), path)
        for path, w in loads.waits.items()
    )
    return ", ".join(f"{path} {asked:,.0f}-{answered:,.0f}" for asked, answered, path in rows)


def _figure(plan: Plan, count: int, desktop: Loads, phone: Loads) -> Figure:
    ours = Samples("ms", tuple(desktop.cards))
    sizes = ", ".join(
        f"{name} {received:,} B" + (f" ({decoded:,} B decoded)" if decoded != received else "")
        for name, (received, decoded) in sorted(desktop.answers.items())
    )
    attainment = sum(r for n, (r, _) in desktop.answers.items() if n.startswith("/attainment"))
    return Figure(
        benchmark="6. dashboard first paint",
        measure=(
            f"ms from navigation to the indicator cards painted, /dashboard at 1280 px, a "
            f"program year behind it ({plan.year_people:,} people, {count:,} events), cold cache"
        ),
        ours=ours,
        baseline=None,
        baseline_name="absolute target (no baseline)",
        target="< 1 s",
        holds=statistics.median(desktop.cards) < TARGET_MS,
        notes=(
            f"desktop (1280 px): first paint {_ms(desktop.first_paint)}, first contentful paint "
            f"{_ms(desktop.first_contentful)}, largest contentful paint {_ms(desktop.largest)}, "
            f"charts drawn {_ms(desktop.charts)}",
            f"phone (390 px): first paint {_ms(phone.first_paint)}, first contentful paint "
            f"{_ms(phone.first_contentful)}, cards painted {_ms(phone.cards)}, charts drawn "
            f"{_ms(phone.charts)}",
            f"answers the page read (bytes; no compression): {sizes}; the two /attainment "
            f"answers together {attainment:,} B",
            "when the desktop page asked for each answer and had it (median ms from the "
            "navigation's start): " + _waterfall(desktop),
            "the desktop page's main-thread work until the charts were drawn (chromium's "
            "DevTools metrics, wall time, so a busy machine inflates it): "
            + ", ".join(
                f"{name} {statistics.median(m[name] for m in desktop.main_thread):,.0f} ms"
                for name in BUSY
            ),
        ),
    )


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.first_paint [--quick] [--people N]`: benchmark 6 alone, on its own
    servers, printing its figure (the whole suite writes it into BENCHMARKS.md)."""
    parser = argparse.ArgumentParser(prog="python -m bench.first_paint", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the quick form's sizes")
    parser.add_argument("--people", type=int, help="people in the program year")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.people:
        plan = dataclasses.replace(plan, year_people=args.people)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    print(f"load average {load_average()}", flush=True)
    with servers() as found:
        secrets = ensure_local_secrets(found.root / "auth")
        (found.root / "logs").mkdir(exist_ok=True)
        env = {
            **secrets,
            **found.env("admin"),
            "PANA_LOGFRAMES_DIR": str(rebuild.only_default_logframe(found.root / "logframes")),
        }
        figure = uvloop.run(measure(found, plan, env, lambda line: print(line, flush=True)))
    print(f"{figure.benchmark}: {figure.ours.summary()} ({figure.target}: {figure.verdict})")
    print(f"- Measured: {figure.measure}")
    for note in figure.notes:
        print(f"- {note}")
    print(f"load average at end {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
