"""Group activities imported from a file: each row becomes the cases service's group-activity
command once (a second import sends nothing), and the indicators' indirect figure sums their
headcounts apart from the unique people."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.imports.importing import run, start
from tests.integration.imports.conftest import ImportSystem, event_counts
from tests.support.waiting import until

pytestmark = pytest.mark.integration
LOGFRAME = "pana_peru_demo_v1"  # the Year-2 rules (its `indirect:` too) over a period with today
# The months the file's activities were held in: other modules of the suite record activities on
# the same topics, none in these months, so the figure of this window is the file's alone.
WINDOW = {"from": "2024-03-01", "to": "2024-04-30"}
FILE = (
    b"activity_ref,kind,region,held_on,count_woman_youth,count_man_youth,count_woman_older_adults\n"
    b"GA-1,fair,tumbes,2024-03-05,40,25,\n"
    b"GA-2,talk,piura,2024-03-06,,,7\n"
    b"GA-3,social_media_post,tumbes,2024-04-01,300,200,0\n"
)


async def _import(system: ImportSystem) -> dict[str, object]:
    sender = system.sender()
    try:
        job, checked = await start(
            system.store, sender, "group_activities", "actividades.csv", FILE, "import:m&e"
        )
        assert checked.valid, [e.line() for e in checked.errors]
        return await run(system.store, sender, job, checked)
    finally:
        await sender.close()


async def _indirect(system: ImportSystem) -> dict[str, Any]:
    async with httpx.AsyncClient(
        base_url=system.indicators.url, timeout=30, headers=system.keys.headers("me_officer")
    ) as me:
        answer = await me.get(
            "/attainment", params={**WINDOW, "logframe": LOGFRAME, "series": "none"}
        )
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()["indirect"]
        return found


async def test_a_file_of_activities_imports_once_and_counts_in_the_indirect_figure(
    system: ImportSystem,
) -> None:
    first = await _import(system)
    again = await _import(system)

    assert (first["done"], first["refused"]) == (3, 0), first
    assert (again["done"], again["skipped"]) == (0, 3), again
    cases = await event_counts(system.cases.app.state.settings.database_url)
    assert cases.get("group_activity.recorded") == 3

    async def counted() -> bool:
        return bool((await _indirect(system))["value"] == 572)

    await until(counted, within=60, what="the imported headcounts in the indirect figure")
    indirect = await _indirect(system)
    assert indirect["by_kind"] == {"fair": 65, "talk": 7, "health_campaign": 0,
                                   "social_media_post": 500}  # fmt: skip
    assert indirect["regions"]["piura"] == 7
