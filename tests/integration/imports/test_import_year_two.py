"""The issue's proof on the Year-2 logframe itself: a program year whose acts are dated inside
Year 2 (Sep 2022 - Aug 2023) is imported years later, as the importing supervisor's late entries
(a unit's answers and a clinic's claims recorded for them, `docs/import.md`); every indicator of
`pana_peru_y2_v1`, OE2.2 and OE2.4 included, comes out exact; the same files again change
nothing; a late entry changes today's figures and leaves the export as recorded by yesterday
byte for byte as it was.

The package's consumers start after what earlier packages wrote (`start_at_end`, conftest) and
its other modules import into the same system, so the figures are compared as what the imported
year adds to a baseline taken once the Year-2 consumer has read every record its topics hold
(`_caught_up`): a figure read before then could grow under the test. "Nothing written" counts
the services' events once their own rounds have marked what the imports left due
(`_nothing_due`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.demo.files import ORDER, year_files
from deploy.demo.plan import Person, expected, plan_year
from deploy.imports.importing import run, start
from services.indicators import read_model
from services.indicators.catalog import Catalog
from services.indicators.logframe import load_directory
from services.referrals import queries as referral_queries
from services.vouchers.queries import due_for_expiry
from tests.integration.imports.conftest import ImportSystem, event_counts
from tests.support.caught_up import caught_up
from tests.support.infrastructure import KafkaEndpoint
from tests.support.waiting import until

pytestmark = pytest.mark.integration
YEAR_TWO = Catalog(load_directory(), "pana_peru_y2_v1").get(None)
END = datetime(2023, 9, 1, 5, tzinfo=UTC)  # 1 September 2023, 00:00 in Lima: Year 2's end
ANSWERED = END - timedelta(minutes=30)  # the units' answers, after every request of the year


async def _import(system: ImportSystem, kind: str, path: Path) -> dict[str, Any]:
    sender = system.sender()
    try:
        job, checked = await start(
            system.store, sender, kind, path.name, path.read_bytes(), "import:m&e"
        )
        assert checked.valid, [e.line() for e in checked.errors[:5]]
        return await run(system.store, sender, job, checked)
    finally:
        await sender.close()


def _me(system: ImportSystem) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=system.indicators.url, timeout=60, headers=system.keys.headers("me_officer")
    )


async def _figures(system: ImportSystem, **asked: str) -> dict[str, int]:
    async with _me(system) as me:
        answer = await me.get("/attainment", params={"logframe": YEAR_TWO.key, **asked})
        answer.raise_for_status()
        return {item["id"]: int(item["value"]) for item in answer.json()["indicators"]}


async def _export(system: ImportSystem, **asked: str) -> bytes:
    async with _me(system) as me:
        answer = await me.get("/exports/donor.csv", params={"logframe": YEAR_TWO.key, **asked})
        answer.raise_for_status()
        return answer.content


async def _events(system: ImportSystem) -> list[dict[str, int]]:
    return [
        await event_counts(s.app.state.settings.database_url)
        for s in (system.cases, system.referrals, system.vouchers)
    ]


async def _caught_up(system: ImportSystem, kafka: KafkaEndpoint) -> None:
    """Return once the Year-2 consumer has read every record its topics hold now (the units and
    clinics the package added, the other modules' imports), so that a baseline read after it
    stays the baseline."""
    settings = system.indicators.app.state.settings
    consumer = read_model.consumer_of(YEAR_TWO, settings.consumer_prefix)
    await caught_up(settings.database_url, consumer, kafka.admin, settings.source_topics, 300)


async def _nothing_due(system: ImportSystem) -> None:
    """Return once the services' own rounds have marked what the imports left due (this year's
    and the package's other modules': waiting referrals overdue, open vouchers expired): events
    of their clocks, written whenever a round comes, not by an import."""
    system.referrals.app.state.overdue.wake()
    now = datetime.now(UTC)

    async def none_left() -> bool:
        async with system.referrals.app.state.pool.acquire() as conn:
            overdue = await referral_queries.due(conn, now)
        return not overdue and not await due_for_expiry(system.vouchers.app.state.pool, now)

    await until(none_left, within=120, what="the imported year's due referrals and vouchers marked")


def _year_two(people: int, seed: int) -> list[Person]:
    planned = plan_year(people, seed=seed, now=END)
    for person in planned:
        person.number += 700_000  # references of their own in the imports' store
        if person.case is not None:
            person.case.complaint_taken_up = None  # complaints are no import kind
    return planned


async def test_year_two_imported_late_gives_its_logframe_exactly_and_as_recorded_by_holds(
    system: ImportSystem, kafka: KafkaEndpoint, tmp_path: Path
) -> None:
    people = _year_two(80, seed=25)
    want = expected(people)
    assert want["OE2.2"] > 0 and want["OE2.4"] > 0 and want["OE2.7"] > 0 and want["OE1.1"] > 0
    answered = [r for p in people if p.case for r in p.case.referrals if r.completed]
    assert answered, "some referrals are answered by their units"
    files = year_files(people, END, tmp_path / "year-two", answered=ANSWERED)

    await _caught_up(system, kafka)
    before = await _figures(system)
    for kind in ORDER:
        state = await _import(system, kind, files[kind])
        assert (state["refused"], state["done"]) == (0, state["total"]), state["errors"][:3]

    async def exact() -> bool:
        now_seen = await _figures(system)
        return {k: now_seen[k] - before.get(k, 0) for k in now_seen} == want

    await until(exact, within=180, what=f"the Year-2 figures of the imported year: {want}")
    await _nothing_due(system)
    written = await _events(system)

    for kind in ORDER:  # everything again: nothing sent, nothing written, the same figures
        again = await _import(system, kind, files[kind])
        assert (again["done"], again["skipped"]) == (0, again["total"])
    assert await _events(system) == written
    assert await exact()

    # A late entry for Year 2 recorded today: PAP for a person of the year who had none.
    yesterday = str((datetime.now(UTC).astimezone(YEAR_TWO.zone) - timedelta(days=1)).date())
    by_yesterday = await _export(system, as_recorded_by=yesterday)
    today_before = await _export(system)
    person = next(
        p
        for p in people
        if p.case is not None and "psychological_first_aid" not in {s for s, _ in p.case.services}
    )
    case_ref = f"C-{person.number:06d}"
    case_id = (await system.store.answers("cases", [case_ref]))[case_ref]["case_id"]
    assert person.case is not None
    supervisor = system.keys.headers("supervisor", regions=[person.region])
    async with httpx.AsyncClient(base_url=system.cases.url, headers=supervisor) as cases:
        late = await cases.post(
            f"/cases/{case_id}/services",
            json={
                "service_type": "psychological_first_aid",
                "delivered_at": (person.case.opened + timedelta(minutes=30)).isoformat(),
            },
            headers={"Idempotency-Key": f"year-two-late-{person.number}"},
        )
    assert late.status_code == 201, late.text

    async def counted() -> bool:
        return (await _figures(system))["OE2.7"] - before.get("OE2.7", 0) == want["OE2.7"] + 1

    await until(counted, within=60, what="the late PAP counted in Year 2")
    assert await _export(system) != today_before
    assert await _export(system, as_recorded_by=yesterday) == by_yesterday
