"""A program year imported from files, through the services' APIs: the logframe's figures
come out exactly as planned; the same files again change nothing; a crash mid-import and a
resume do every row exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.demo.files import ORDER, year_files
from deploy.demo.plan import Person, expected, plan_year
from deploy.imports.importing import Stopped, check, idempotency_key, run, start
from services.indicators.logframe import load_directory
from services.indicators.read_model import consumer_of
from tests.integration.imports.conftest import ImportSystem, event_counts
from tests.support.caught_up import caught_up
from tests.support.waiting import until

pytestmark = pytest.mark.integration
LOGFRAME = "pana_peru_demo_v1"  # the Year-2 indicators over a period that includes today


async def _import(
    system: ImportSystem, kind: str, path: Path, stop_after: int | None = None
) -> dict[str, Any]:
    sender = system.sender()
    try:
        job, checked = await start(
            system.store, sender, kind, path.name, path.read_bytes(), "import:m&e"
        )
        assert checked.valid, [e.line() for e in checked.errors[:5]]
        return await run(system.store, sender, job, checked, stop_after=stop_after)
    finally:
        await sender.close()


async def _answer(system: ImportSystem) -> dict[str, Any]:
    async with httpx.AsyncClient(
        base_url=system.indicators.url, timeout=30, headers=system.keys.headers("me_officer")
    ) as me:
        answer = await me.get("/attainment", params={"logframe": LOGFRAME})
        answer.raise_for_status()
        body: dict[str, Any] = answer.json()
        return body


async def _figures(system: ImportSystem) -> dict[str, int]:
    return {item["id"]: int(item["value"]) for item in (await _answer(system))["indicators"]}


async def _figures_of_everything_before(system: ImportSystem) -> dict[str, int]:
    """The figures once the demo version has read all the session's topics hold.

    The package's other modules write to the same system (its indicators start after what
    earlier packages wrote), and this version must have read all of it. The demo version is
    not the service's default, so the service is ready while it reads (and the answer says
    `rebuilding` only once its group has its partitions): figures read before it caught up grow
    under the test (issue of the whole suite).
    """
    settings = system.indicators.app.state.settings
    consumer = consumer_of(load_directory()[LOGFRAME], settings.consumer_prefix)
    await caught_up(settings.database_url, consumer, settings.kafka, settings.source_topics)
    answer: dict[str, Any] = {}

    async def complete() -> bool:
        nonlocal answer
        answer = await _answer(system)
        return answer.get("rebuilding") is None

    await until(complete, within=30, what=f"{LOGFRAME} read whole (no `rebuilding`)")
    return {item["id"]: int(item["value"]) for item in answer["indicators"]}


async def _events(system: ImportSystem) -> list[dict[str, int]]:
    return [
        await event_counts(s.app.state.settings.database_url)
        for s in (system.cases, system.referrals, system.vouchers)
    ]


def _year(people: int, seed: int, now: datetime, first: int = 0) -> list[Person]:
    planned = plan_year(people, seed=seed, now=now)
    for person in planned:
        person.number += first
        if person.case is not None:
            person.case.complaint_taken_up = None  # complaints are no import kind
    return planned


async def test_a_year_imported_gives_exact_figures_and_again_changes_nothing(
    system: ImportSystem, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    people = _year(80, seed=25, now=now)
    files = year_files(people, now, tmp_path / "year")
    # The package's other modules wrote to the same system, and the demo logframe spans them:
    # the imported year is what it adds to the figures counted before it.
    before = await _figures_of_everything_before(system)
    for kind in ORDER:
        state = await _import(system, kind, files[kind])
        assert state["refused"] == 0, state["errors"][:3]
        assert state["done"] == state["total"]
    # The units answered after the referrals were sent: the same file, now with the answers.
    answered = year_files(people, now, tmp_path / "answered", answered=datetime.now(UTC))
    state = await _import(system, "referrals", answered["referrals"])
    completed = sum(r.completed for p in people if p.case for r in p.case.referrals)
    assert (state["done"], state["refused"]) == (completed, 0), state["errors"][:2]
    want = expected(people)
    assert want["OE2.2"] > 0 and want["OE2.4"] > 0 and want["OE1.1"] > 0

    async def exact() -> bool:
        now_seen = await _figures(system)
        return {k: now_seen[k] - before.get(k, 0) for k in now_seen} == want

    await until(exact, within=120, what=f"the figures of the imported year: {want}")
    written = await _events(system)

    for kind in ORDER:  # everything again: nothing sent, nothing written, the same figures
        again = await _import(system, kind, (answered if kind == "referrals" else files)[kind])
        assert (again["done"], again["skipped"]) == (0, again["total"])
    assert await _events(system) == written
    after = await _figures(system)
    assert {k: after[k] - before.get(k, 0) for k in after} == want


async def test_a_crash_mid_import_then_a_resume_does_every_row_once(
    system: ImportSystem, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    people = _year(60, seed=26, now=now, first=500_000)
    files = year_files(people, now, tmp_path / "crash")
    before = await _events(system)
    with pytest.raises(Stopped):
        await _import(system, "participants", files["participants"], stop_after=25)
    stopped = await _events(system)
    assert (
        0
        < stopped[0].get("participant.registered", 0) - before[0].get("participant.registered", 0)
        < 60
    )
    resumed = await _import(system, "participants", files["participants"])
    assert resumed["total"] == 60 and resumed["done"] + resumed["skipped"] == 60
    assert resumed["status"] == "done"
    after = await _events(system)
    assert after[0]["participant.registered"] - before[0].get("participant.registered", 0) == 60

    # A crash after a service committed a row and before the import recorded it: the row's
    # command was sent (with the import's key) but the import knows nothing of it.
    _, checked = await check(
        system.store, None, "consents", "consents.csv", files["consents"].read_bytes()
    )
    first = checked.rows[0]
    [act] = first.acts
    participant = await system.store.answers("participants", [first.key.split("|")[0]])
    ids = {"participant_id": next(iter(participant.values()))["participant_id"]}
    sender = system.sender()
    try:
        await sender.post(
            act.service,
            act.path.format(**ids),
            act.body,
            idempotency_key("consents", first.key, act.name),
        )
    finally:
        await sender.close()
    with pytest.raises(Stopped):
        await _import(system, "consents", files["consents"], stop_after=30)
    resumed = await _import(system, "consents", files["consents"])
    assert resumed["status"] == "done"
    final = await _events(system)
    assert final[0]["consent.given"] - after[0].get("consent.given", 0) == 60
