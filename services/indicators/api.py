"""The read API: attainment of a logframe, one indicator's tables, donor exports.

Outside the exact view, figures are answered for the fixed periods of `periods` only (any
other day range is 422 with the list), and sensitive counts are rounded (`suppression`).

Every answer carries an ETag naming the read model revision, the request and the view, with
`Cache-Control: private, no-cache`: clients revalidate each time and get 304 until an event
changes the figures. `private`, because exact and suppressed views differ by caller.
"""

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Response

from eventkit.clock import Now
from eventkit.consumer import ConsumerRunner
from eventkit.dependencies import Clock
from eventkit.replay import Replay
from program.known import KnownTerritoryAtAnyLevel
from program.load import current_program
from services.indicators.asked import Asked, AskedDep
from services.indicators.attainment import (
    Attainment,
    FilterError,
    Filters,
    IndicatorFigures,
    Rebuilding,
    window,
)
from services.indicators.audience import ExactReader, ViewDep
from services.indicators.catalog import Catalog, UnknownLogframe
from services.indicators.downloads import (
    donor_csv,
    donor_report_pdf,
    donor_report_xlsx,
    donor_xlsx,
    five_w,
    five_w_csv,
    five_w_xlsx,
)
from services.indicators.indirect import IndirectFigures
from services.indicators.indirect_store import attach
from services.indicators.logframe import Indicator, Logframe
from services.indicators.periods import (
    UnpublishedPeriod,
    by_label,
    check_published,
    published_periods,
)
from services.indicators.reading import AttainmentReader
from services.indicators.recorded import recorded_before
from services.indicators.rollup import rollup
from services.indicators.schedule import by_year, expected_along, status
from services.indicators.suppression import View, published
from services.indicators.targets import schedule, target_span

Series = Literal["month", "year", "none"]
"""How much of the series an answer carries: months (the default), years, or none (cards)."""
Render = Callable[[Attainment, Attainment], Response]
"""Renders the figures in the caller's view; the second argument is the same figures exact,
read only when the render needs them (years of a sensitive indicator are published from
their own exact counts, never summed from rounded months)."""

CACHE_CONTROL = "private, no-cache"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


PeriodLabel = Annotated[
    str | None,
    Query(
        description="A published period by its label (`GET /logframes`): a program year (`Y1`),"
        " a quarter (`2023-Q1`) or a month (`2023-01`), instead of `from`/`to`."
    ),
]

REBUILDING_HEADER = "Pana-Rebuilding"
"""Present on every answer read while its logframe version is replayed (partial figures)."""


def replay_of(workers: Iterable[object], consumer: str) -> Replay | None:
    """The replay under way in the consumer `consumer` among an app's `workers`, if any."""
    for worker in workers:
        if isinstance(worker, ConsumerRunner) and worker.consumer == consumer:
            return worker.replay
    return None


def attainment_router(
    catalog: Catalog, reader: AttainmentReader, consumers: Mapping[str, str] | None = None
) -> APIRouter:
    """Routes reading `catalog`'s logframe versions through `reader`; `consumers` names the
    consumer of each version (whose replay, while one runs, every answer reports)."""
    router = APIRouter(tags=["attainment"])

    def chosen_logframe(
        logframe: Annotated[str | None, Query(description="Logframe version key.")] = None,
    ) -> Logframe:
        try:
            return catalog.get(logframe)
        except UnknownLogframe:
            raise HTTPException(404, f"unknown logframe {logframe!r}") from None

    def chosen_filters(
        lf: Annotated[Logframe, Depends(chosen_logframe)],
        region: KnownTerritoryAtAnyLevel | None = None,
        start: Annotated[date | None, Query(alias="from", description="First day.")] = None,
        end: Annotated[date | None, Query(alias="to", description="Last day.")] = None,
        period: PeriodLabel = None,
    ) -> Filters:
        if period is not None:
            if start is not None or end is not None:
                raise HTTPException(422, "give either 'period' or 'from'/'to', not both")
            try:
                chosen = by_label(lf, period)
            except UnpublishedPeriod as unknown:
                raise HTTPException(422, str(unknown)) from None
            start, end = chosen.start, chosen.end
        filters = Filters(region, start, end)
        try:
            window(lf, filters)
        except FilterError as bad:
            raise HTTPException(422, str(bad)) from None
        return filters

    SeriesDep = Annotated[
        Series,
        Query(description="`month` (default), `year` (long periods) or `none` (cards only)."),
    ]
    LogframeDep = Annotated[Logframe, Depends(chosen_logframe)]
    FiltersDep = Annotated[Filters, Depends(chosen_filters)]
    RecordedBy = Annotated[
        date | None,
        Query(description="The figures as recorded by the end of this day (program time "
              "zone): what was published that day, late entries since left out. Slower. "
              "Outside the exact view, a month's last day."),
    ]  # fmt: skip

    async def answer(
        asked: Asked,
        lf: Logframe,
        filters: Filters,
        view: View,
        render: Render,
        needs_exact: bool = False,
        today: date | None = None,
        recorded_by: date | None = None,
    ) -> Response:
        if view is not View.EXACT:
            try:  # every read of counts passes here: JSON, one indicator, CSV, XLSX
                check_published(lf, filters)
            except UnpublishedPeriod as refused:
                raise HTTPException(422, str(refused)) from None
            if recorded_by is not None and (recorded_by + timedelta(days=1)).day != 1:
                # figures recorded a day apart, differenced, could single a person out
                raise HTTPException(
                    422, "outside the exact view, as_recorded_by is a month's last day"
                )
        pool = asked.pool
        consumer = (consumers or {}).get(lf.key)
        replay = replay_of(asked.workers, consumer) if consumer else None
        state = f"{view}|{replay}|{today}"  # these change the answer, not the revision
        tag = _etag(asked, lf, await reader.revision(pool, lf), state)
        if tag in asked.if_none_match:
            return Response(status_code=304, headers={"ETag": tag, "Cache-Control": CACHE_CONTROL})
        if recorded_by is None:
            at, result = await reader.read(pool, lf, filters, view)
        else:
            before = recorded_before(recorded_by, lf.zone)
            at, result = await reader.as_recorded(pool, lf, filters, view, before)
        result = await attach(pool, lf, result, None if recorded_by is None else before)
        exact = result
        if needs_exact and view is not View.EXACT:
            if recorded_by is None:
                _, exact = await reader.read(pool, lf, filters, View.EXACT)
            else:
                _, exact = await reader.as_recorded(pool, lf, filters, View.EXACT, before)
        if replay is not None:
            rebuilding = Rebuilding(replay.done, replay.total, replay.progress)
            result = dataclasses.replace(result, rebuilding=rebuilding)
        response = render(result, exact)
        response.headers["ETag"] = _etag(asked, lf, at, state)
        response.headers["Cache-Control"] = CACHE_CONTROL
        if replay is not None:
            response.headers[REBUILDING_HEADER] = f"progress={replay.progress}"
        return response

    @router.get("/logframes", summary="The logframe versions served and the default one")
    async def logframes(clock: Clock) -> dict[str, Any]:
        return {
            "default": catalog.default,
            "current": catalog.current(_today(catalog, clock)),
            "logframes": [
                {"key": lf.key, "program": lf.program, "title": lf.title, "period": lf.period,
                 "indicators": [{"id": i.id, "title": i.title, "titles": i.titles, "unit": i.unit,
                                 "target": i.target, "sensitive": i.sensitive, **_breakdowns(i)}
                                for i in lf.all_indicators],
                 "years": lf.years,
                 "periods": [{"label": p.label, "kind": p.kind, "from": p.start, "to": p.end}
                             for p in published_periods(lf)]}
                for lf in catalog.logframes.values()
            ],
            "territories": [{"code": u.code, "level": u.level, "labels": u.labels.model_dump()}
                            for u in current_program().territories.reported()],
        }  # fmt: skip

    @router.get("/attainment", summary="Every indicator's value against its target, with tables")
    async def attainment(
        asked: AskedDep,
        lf: LogframeDep,
        filters: FiltersDep,
        view: ViewDep,
        clock: Clock,
        series: SeriesDep = "month",
        as_recorded_by: RecordedBy = None,
    ) -> Response:
        today = as_recorded_by or clock().astimezone(lf.zone).date()

        def render(result: Attainment, exact: Attainment) -> Response:
            return _json(_shown(lf, result, exact, series, today))

        return await answer(
            asked, lf, filters, view, render, series == "year", today, as_recorded_by
        )

    @router.get("/indicators/{indicator_id}", summary="One indicator with its disaggregations")
    async def indicator(
        asked: AskedDep,
        indicator_id: str,
        lf: LogframeDep,
        filters: FiltersDep,
        view: ViewDep,
        clock: Clock,
        series: SeriesDep = "month",
        as_recorded_by: RecordedBy = None,
    ) -> Response:
        today = as_recorded_by or clock().astimezone(lf.zone).date()

        if lf.indicator(indicator_id) is None:
            raise HTTPException(404, f"logframe {lf.key} has no indicator {indicator_id!r}")

        def one(result: Attainment, exact: Attainment) -> Response:
            shown = _shown(lf, result, exact, series, today)
            found = next(i for i in shown["indicators"] if i["id"] == indicator_id)
            keys = ("logframe", "start", "end", "region", "view", "rebuilding", "as_of")
            return _json({**{k: shown[k] for k in keys}, "indicator": found})

        return await answer(asked, lf, filters, view, one, series == "year", today, as_recorded_by)

    def download(
        path: str, summary: str, name: str, build: Callable[[Attainment], str | bytes],
        media_type: str, prefix: str, extension: str,
    ) -> None:  # fmt: skip
        """A route answering the figures as a file (`_download`), in the caller's view."""

        async def route(
            asked: AskedDep,
            lf: LogframeDep,
            filters: FiltersDep,
            view: ViewDep,
            as_recorded_by: RecordedBy = None,
        ) -> Response:
            render = _download(lf, build, media_type, prefix, extension)
            return await answer(asked, lf, filters, view, render, recorded_by=as_recorded_by)

        router.get(path, summary=summary, name=name)(route)

    csv_type = "text/csv; charset=utf-8"
    download("/exports/donor.csv", "The donor tables as CSV", "export_csv",
             donor_csv, csv_type, "", "csv")  # fmt: skip
    download("/exports/donor.xlsx", "The donor tables as an Excel workbook", "export_xlsx",
             donor_xlsx, XLSX, "", "xlsx")  # fmt: skip
    download("/reports/donor.xlsx", "The donor report as the donor reads it (XLSX)", "report_xlsx",
             donor_report_xlsx, XLSX, "informe-", "xlsx")  # fmt: skip
    download("/reports/donor.pdf", "The donor report as the donor reads it (PDF)", "report_pdf",
             donor_report_pdf, "application/pdf", "informe-", "pdf")  # fmt: skip

    async def five_w_answer(
        asked: Asked,
        lf: Logframe,
        year: int | None,
        clock: Now,
        suffix: str,
        recorded_by: date | None = None,
    ) -> Response:
        # M&E staff only (`ExactReader`): its year-to-date windows are not published periods
        view = View.EXACT
        if current_program().r4v is None or not lf.r4v_activities():
            raise HTTPException(404, f"logframe {lf.key} has no R4V reporting (program `r4v:`)")
        today = recorded_by or clock().astimezone(lf.zone).date()
        before = None if recorded_by is None else recorded_before(recorded_by, lf.zone)
        year_asked = year or min(max(today.year, lf.period.start.year), lf.period.end.year)
        at, rows = await reader.on_ledger(
            asked.pool, lf, lambda ledger: five_w(lf, ledger, year_asked), before
        )
        name = f"r4v-5w-{lf.key}-{year_asked}.{suffix}"
        if suffix == "csv":
            answer = _file(five_w_csv(lf, rows), "text/csv; charset=utf-8", name)
        else:
            answer = _file(five_w_xlsx(lf, rows), XLSX, name)
        answer.headers["ETag"] = _etag(asked, lf, at, view)
        answer.headers["Cache-Control"] = CACHE_CONTROL
        return answer

    Year = Annotated[
        int | None, Query(ge=2000, le=2100, description="Calendar year (default: this one).")
    ]

    @router.get("/reports/r4v-5w.csv", summary="The R4V 5W monthly report (M&E staff)",
                dependencies=[ExactReader])  # fmt: skip
    async def r4v_csv(
        asked: AskedDep,
        lf: LogframeDep,
        clock: Clock,
        year: Year = None,
        as_recorded_by: RecordedBy = None,
    ) -> Response:
        return await five_w_answer(asked, lf, year, clock, "csv", as_recorded_by)

    @router.get("/reports/r4v-5w.xlsx", summary="The R4V 5W monthly report as XLSX (M&E staff)",
                dependencies=[ExactReader])  # fmt: skip
    async def r4v_xlsx(
        asked: AskedDep,
        lf: LogframeDep,
        clock: Clock,
        year: Year = None,
        as_recorded_by: RecordedBy = None,
    ) -> Response:
        return await five_w_answer(asked, lf, year, clock, "xlsx", as_recorded_by)

    @router.get("/rollup", summary="Life of project: each program year and the whole phase")
    async def life_of_project(
        asked: AskedDep,
        lf: LogframeDep,
        view: ViewDep,
        region: KnownTerritoryAtAnyLevel | None = None,
    ) -> Response:
        if not lf.years:
            raise HTTPException(404, f"logframe {lf.key} has no program years (`years:`)")
        pool = asked.pool
        windows = [Filters(region, y.start, y.end) for y in lf.years] + [Filters(region)]
        for _ in range(3):  # every column from one revision, or none
            reads = [await reader.read(pool, lf, f, view) for f in windows]
            if len({at for at, _ in reads}) == 1:
                break
        else:
            raise HTTPException(503, "the figures changed while the table was read; retry")
        consumer = (consumers or {}).get(lf.key)
        replay = replay_of(asked.workers, consumer) if consumer else None
        body = rollup(lf, [r for _, r in reads[:-1]], reads[-1][1])
        body["rebuilding"] = replay and Rebuilding(replay.done, replay.total, replay.progress)
        response = _json(body)
        response.headers["ETag"] = _etag(asked, lf, reads[0][0], f"{view}|{replay}")
        response.headers["Cache-Control"] = CACHE_CONTROL
        if replay is not None:
            response.headers[REBUILDING_HEADER] = f"progress={replay.progress}"
        return response

    return router


def _today(catalog: Catalog, clock: Now) -> date:
    """Today in the program's time zone (the default version's)."""
    return clock().astimezone(catalog.get(None).zone).date()


def _breakdowns(indicator: Indicator) -> dict[str, dict[str, int]]:
    """An indicator's targets by territory, sex and period, those it has (`targets`)."""
    found = {
        "territory_targets": {**indicator.region_targets, **indicator.territory_targets},
        "sex_targets": indicator.sex_targets,
        "period_targets": indicator.period_targets,
    }
    return {name: targets for name, targets in found.items() if targets}


def _shown(
    lf: Logframe, result: Attainment, exact: Attainment, series: Series, today: date
) -> dict[str, Any]:
    """The answer of `/attainment`: the figures with the series asked for, and per indicator
    where its schedule expects it by `today` and its status against that (`by_sex`
    only for an indicator with sex targets)."""
    keys = ("logframe", "title", "start", "end", "region", "view", "rebuilding")
    window_ = (result.start, result.end)
    exact_by_id = {i.id: i for i in exact.indicators}
    left_out = {"months", "by_sex"}
    defined = {i.id: i for i in lf.all_indicators}

    def indicator(i: IndicatorFigures) -> dict[str, Any]:
        shown = {
            f.name: getattr(i, f.name) for f in dataclasses.fields(i) if f.name not in left_out
        }
        if i.by_sex:
            shown["by_sex"] = i.by_sex
        period = target_span(lf, defined[i.id], result.region, window_)
        if series == "month":
            shown["months"] = i.months
        elif series == "year":
            rule = published if i.sensitive and result.view != View.EXACT else int
            shown["years"] = by_year(exact_by_id[i.id].months, rule)
        expected = expected_along(i.target, schedule(lf, defined[i.id]), period, window_, today)
        shown["expected"], shown["status"] = expected, status(i.value, expected)
        return shown

    return {
        **{k: getattr(result, k) for k in keys},
        "as_of": today,
        "series": series,
        "indicators": [indicator(i) for i in result.indicators],
        "indirect": None if result.indirect is None else _indirect_shown(result.indirect, series),
    }


def _indirect_shown(figures: IndirectFigures, series: Series) -> dict[str, Any]:
    """The indirect figure as `/attainment` shows it (its months only with the month series)."""
    shown = dataclasses.asdict(figures)
    if series != "month":
        del shown["months"]
    return shown


def _json(payload: Any) -> Response:
    return Response(orjson.dumps(payload), media_type="application/json")


def _download(
    lf: Logframe,
    build: Callable[[Attainment], str | bytes],
    media_type: str,
    prefix: str,
    extension: str,
) -> Render:
    """A render that sends the figures built into a file named for the logframe and window."""

    def render(result: Attainment, _: Attainment) -> Response:
        name = f"{prefix}{lf.key}-{result.start}-{result.end}.{extension}"
        return _file(build(result), media_type, name)

    return render


def _file(content: str | bytes, media_type: str, name: str) -> Response:
    disposition = f'attachment; filename="{name}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


def _etag(asked: Asked, lf: Logframe, revision: int, view: View | str) -> str:
    named = f"{asked.target}|{view}"
    return f'"{lf.key}.{revision}.{hashlib.sha256(named.encode()).hexdigest()[:16]}"'
