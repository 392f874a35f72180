"""The supervisors' upload: a dry run lists every error, a file imports in the background and
its progress is read at `GET /imports/{id}`; only supervisors, only their regions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from deploy.imports.app import ImportsSettings, create_app
from deploy.imports.importing import start
from tests.integration.imports.conftest import ImportSystem, event_counts
from tests.support.services import RunningService, serve
from tests.support.waiting import until

pytestmark = pytest.mark.integration


def _settings(system: ImportSystem) -> ImportsSettings:
    return ImportsSettings(
        database_url=system.imports_url,
        cases_url=system.cases.url,
        referrals_url=system.referrals.url,
        vouchers_url=system.vouchers.url,
        signing_key_path=system.keys.key_path,
    )


@pytest.fixture(scope="module")
async def imports(system: ImportSystem) -> AsyncIterator[RunningService]:
    settings = _settings(system)
    async with contextlib.AsyncExitStack() as stack:
        yield await stack.enter_async_context(serve(lambda: create_app(settings), system.keys))


def _people(first: int, region: str = "piura") -> bytes:
    day = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    lines = [
        "participant_ref,registered_on,given_names,family_names,sex,estimated_age_years,"
        "nationality,region"
    ]
    lines += [f"U-{n},{day},Ana,Subida {n},woman,30,VEN,{region}" for n in range(first, first + 12)]
    return ("\n".join(lines) + "\n").encode()


async def test_a_supervisor_checks_uploads_and_follows_an_import(
    imports: RunningService, system: ImportSystem
) -> None:
    supervisor = imports.client("supervisor", regions=["piura"])
    bad = (
        _people(1)
        .replace(b"U-2,", b"U-2,")
        .replace(b",woman,30,VEN,piura\nU-3", b",alien,30,VEN,piura\nU-3")
    )
    checked = await supervisor.post(
        "/imports",
        data={"kind": "participants", "dry_run": "true"},
        files={"file": ("gente.csv", bad, "text/csv")},
    )
    assert checked.status_code == 200, checked.text
    [error] = checked.json()["errors"]
    assert (error["row"], error["column"]) == (3, "sex")
    assert "no es un código" in error["es"] and "is not a code" in error["en"]

    refused = await supervisor.post(
        "/imports", data={"kind": "participants"}, files={"file": ("gente.csv", bad, "text/csv")}
    )
    assert refused.status_code == 422 and refused.json()["status"] == "refused"
    registered = (await event_counts(system.cases.app.state.settings.database_url)).get(
        "participant.registered", 0
    )

    started = await supervisor.post(
        "/imports",
        data={"kind": "participants"},
        files={"file": ("gente.csv", _people(1), "text/csv")},
    )
    assert started.status_code == 202, started.text
    where = started.headers["Location"]

    async def finished() -> bool:
        job = (await supervisor.get(where)).json()
        return bool(job["status"] == "done")

    await until(finished, within=60, what="the upload's import finished")
    job = (await supervisor.get(where)).json()
    assert (job["done"], job["refused"], job["percent"]) == (12, 0, 100.0)
    counts = await event_counts(system.cases.app.state.settings.database_url)
    assert counts["participant.registered"] - registered == 12

    template = await supervisor.get("/imports/templates/participants.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"


async def test_only_supervisors_in_their_regions_upload(imports: RunningService) -> None:
    caseworker = imports.client("caseworker", regions=["piura"])
    files = {"file": ("gente.csv", _people(100), "text/csv")}
    assert (
        await caseworker.post("/imports", data={"kind": "participants"}, files=files)
    ).status_code == 403
    elsewhere = imports.client("supervisor", regions=["tumbes"])
    answer = await elsewhere.post("/imports", data={"kind": "participants"}, files=files)
    assert answer.status_code == 403 and "piura" in answer.text
    nobody = httpx.AsyncClient(base_url=imports.url)
    assert (await nobody.get("/imports/templates/cases.csv")).status_code == 401
    await nobody.aclose()


async def test_the_command_imports_then_finds_everything_imported(
    system: ImportSystem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from deploy.ops.__main__ import main

    people = tmp_path / "gente.csv"
    people.write_bytes(_people(200, region="tumbes"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PANA_IMPORTS_DATABASE_URL", system.imports_url)
        for name in ("cases", "referrals", "vouchers"):
            env.setenv(f"PANA_{name.upper()}_URL", getattr(system, name).url)
        command = [
            "import",
            "participants",
            str(people),
            "--signing-key",
            str(system.keys.key_path),
        ]
        assert await asyncio.to_thread(main, command) == 0
        assert "job " in capsys.readouterr().out.splitlines()[-1]
        assert await asyncio.to_thread(main, command) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.endswith("0 imported, 12 already imported, 0 refused by the services"), last


async def test_a_restarted_imports_service_resumes_the_jobs_left_running(
    system: ImportSystem,
) -> None:
    content = _people(300, region="piura")
    acting = {"subject": "supervisor-restart", "organization": "ngo", "regions": ["piura"]}
    sender = system.sender()
    try:  # a job accepted, then the process died before sending a row
        job, checked = await start(
            system.store, sender, "participants", "gente.csv", content, "supervisor-restart", acting
        )
    finally:
        await sender.close()
    assert checked.valid and (await system.store.job(job) or {})["status"] == "running"
    settings = ImportsSettings(
        database_url=system.imports_url,
        cases_url=system.cases.url,
        referrals_url=system.referrals.url,
        vouchers_url=system.vouchers.url,
        signing_key_path=system.keys.key_path,
    )
    async with serve(lambda: create_app(settings), system.keys):

        async def resumed() -> bool:
            return (await system.store.job(job) or {}).get("status") == "done"

        await until(resumed, within=60, what="the job resumed at start-up finished")
    state = await system.store.job(job)
    assert state is not None and (state["done"], state["refused"]) == (12, 0)


async def test_an_upload_is_checked_against_the_app_s_clock(system: ImportSystem) -> None:
    """Registrations of last month lie in the future of an imports app whose clock says March
    2023: every row is refused for its date (by the wall clock none would be)."""
    settings, then = _settings(system), datetime(2023, 3, 1, 12, tzinfo=UTC)
    async with serve(lambda: create_app(settings, clock=lambda: then), system.keys) as early:
        checked = await early.client("supervisor", regions=["piura"]).post(
            "/imports",
            data={"kind": "participants", "dry_run": "true"},
            files={"file": ("gente.csv", _people(900), "text/csv")},
        )
    assert checked.status_code == 200, checked.text
    errors = checked.json()["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {(n, "registered_on") for n in range(2, 14)}
