"""Issue 23, proof 2: the previous phase in Peru (Sep 2019 - Aug 2021), a life-of-project
logframe with yearly targets, counted from acts entered through the cases service and Kafka:
each year and the whole phase in unique people, each read against its own target.

The writing services refuse acts before the program's start (Year 2's phase by default), so
this module starts them with phase I's start, and every act (years ago) is a supervisor's late
entry (docs/field-dates.md)."""

from __future__ import annotations

import contextlib
import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from eventkit import field_time
from eventkit.positions import wait_for_events
from services.indicators import read_model
from services.indicators.logframe import DEFAULT_DIRECTORY, load_directory
from tests.support.counting import serve_cases_and_indicators
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.services import Keys, RunningService, service_environment

pytestmark = pytest.mark.integration
PHASE_DIR = DEFAULT_DIRECTORY / "peru_phase_1"
PHASE = load_directory(PHASE_DIR)["pana_peru_2019_2021_v1"]
LIMA, TUMBES = "lima_callao", "tumbes"


@dataclass
class Phase:
    cases: RunningService
    indicators: RunningService


@pytest.fixture(scope="module")
async def phase(
    postgres: PostgresEndpoint, kafka: KafkaEndpoint, keys: Keys
) -> AsyncIterator[Phase]:
    """The cases service accepting acts from phase I's start, and the indicators service
    serving phase I's logframe only."""
    with service_environment(keys) as env:
        env.setenv("PANA_FIELD_TIME_PROGRAM_START", PHASE.period.start.isoformat())
        field_time.configured.cache_clear()
        async with contextlib.AsyncExitStack() as stack:
            yield Phase(*await serve_cases_and_indicators(
                stack, postgres, kafka, keys, "phase1", logframes_dir=PHASE_DIR,
                default_logframe=PHASE.key,
                consumer_prefix=f"indicators.phase1-{uuid.uuid4().hex[:6]}",
            ))  # fmt: skip
    field_time.configured.cache_clear()  # the next module's services read the defaults


async def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


class Field:
    """A supervisor of Lima and Tumbes entering phase I's acts late, keeping their positions."""

    def __init__(self, phase: Phase) -> None:
        self.client = phase.cases.client("supervisor", regions=[LIMA, TUMBES])
        self.positions: list[str] = []

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        done = await _ok(await self.client.post(path, json=body))
        self.positions.append(done["position"])
        return done

    async def person(self, sex: str, registered: str, region: str) -> str:
        pid = (await self.post("/participants", {
            "given_names": "Ana", "family_names": f"Fase {uuid.uuid4().hex[:6]}", "sex": sex,
            "birth_date": "1990-04-02", "nationality": "VEN", "region": region,
            "occurred_at": f"{registered}T14:00:00+00:00",
        }))["participant_id"]  # fmt: skip
        await self.post(f"/participants/{pid}/consents", {
            "purposes": ["services"], "occurred_at": f"{registered}T14:05:00+00:00",
        })  # fmt: skip
        return str(pid)

    async def case(self, pid: str, opened: str, region: str) -> str:
        case = await self.post("/cases", {
            "participant_id": pid, "case_type": "gbv_protection", "intake_channel": "hotline",
            "region": region, "opened_at": f"{opened}T15:00:00+00:00",
        })  # fmt: skip
        return str(case["case_id"])

    async def pap(self, case_id: str, day: str) -> None:
        await self.post(f"/cases/{case_id}/services", {
            "service_type": "psychological_first_aid", "occurred_at": f"{day}T16:00:00+00:00",
        })  # fmt: skip


async def test_each_year_and_the_phase_count_unique_people_against_their_own_targets(
    phase: Phase,
) -> None:
    field = Field(phase)
    # A: a woman in Lima with PAP in Year 1 and again in Year 2 (once in the phase).
    a = await field.person("woman", "2019-10-01", LIMA)
    a_case = await field.case(a, "2020-03-09", LIMA)
    await field.pap(a_case, "2020-03-10")
    await field.pap(a_case, "2021-02-10")
    # B: a man in Lima with PAP in Year 1 only.
    b = await field.person("man", "2019-10-02", LIMA)
    await field.pap(await field.case(b, "2019-11-04", LIMA), "2019-11-05")
    # C: a woman in Tumbes with PAP in Year 2 only.
    c = await field.person("woman", "2020-10-01", TUMBES)
    await field.pap(await field.case(c, "2021-05-31", TUMBES), "2021-06-01")
    # D: a man in Lima whose case opened in Year 2, with no service: direct, not PAP.
    await field.case(await field.person("man", "2021-02-20", LIMA), "2021-03-01", LIMA)

    consumer = read_model.consumer_of(PHASE, phase.indicators.app.state.settings.consumer_prefix)
    await wait_for_events(phase.indicators.app.state.pool, consumer, field.positions, within=90)
    me = phase.indicators.client("me_officer")

    async def read(params: dict[str, str]) -> dict[str, dict[str, Any]]:
        answer = await me.get("/attainment", params={**params, "view": "exact"})
        assert answer.status_code == 200, answer.text
        return {i["id"]: i for i in answer.json()["indicators"]}

    y1, y2, whole = [await read({"period": p}) for p in ("Y1", "Y2", "period")]
    got = {
        name: {i: (view[i]["value"], view[i]["target"]) for i in ("DIRECT", "OE1.1", "OE2.7")}
        for name, view in (("Y1", y1), ("Y2", y2), ("phase", whole))
    }
    assert got == {
        "Y1": {"DIRECT": (2, 5000), "OE1.1": (2, 600), "OE2.7": (2, 1800)},  # A, B
        "Y2": {"DIRECT": (3, 8000), "OE1.1": (2, 1000), "OE2.7": (2, 2600)},  # A, C (+ D)
        "phase": {"DIRECT": (4, 12000), "OE1.1": (3, 1500), "OE2.7": (3, 4000)},  # A once
    }
    assert whole["DIRECT"]["percent"] == 0.0 and y2["OE2.7"]["percent"] == 0.1
    # Year 2 counts A again in February, the month of her second PAP; the phase does not.
    y2_months = {m["month"]: m["new"] for m in y2["OE2.7"]["months"]}
    phase_months = {m["month"]: m["new"] for m in whole["OE2.7"]["months"]}
    assert (y2_months["2021-02"], y2_months["2021-06"], sum(y2_months.values())) == (1, 1, 2)
    assert (phase_months["2020-03"], phase_months["2021-02"], phase_months["2021-06"]) == (1, 0, 1)
    assert whole["OE2.7"]["sex_age"]["woman"]["total"] == 2
    assert whole["OE2.7"]["by_sex"] == {
        "woman": {"target": 2800, "value": 2, "percent": 0.1},
        "man": {"target": 1200, "value": 1, "percent": 0.1},
    }
    assert "by_sex" not in y1["OE2.7"]  # a year is read against its own target only

    # The roll-up: Year 1 | Year 2 | phase in one table, each against its own target.
    table = (await me.get("/rollup", params={"view": "exact"})).json()
    assert [y["label"] for y in table["years"]] == ["Y1", "Y2"]
    rolled = {i["id"]: i for i in table["indicators"]}
    assert rolled["OE2.7"]["years"] == [
        {"label": "Y1", "value": 2, "target": 1800, "percent": 0.1},
        {"label": "Y2", "value": 2, "target": 2600, "percent": 0.1},
    ]
    assert rolled["OE2.7"]["phase"] == {"value": 3, "target": 4000, "percent": 0.1}
    assert [y["value"] for y in rolled["DIRECT"]["years"]] == [2, 3]
    assert rolled["DIRECT"]["phase"]["value"] == 4

    # A territory: the phase against its target; a year of it has none of its own.
    tumbes = await read({"region": TUMBES})
    tumbes_y2 = await read({"region": TUMBES, "period": "Y2"})
    assert (tumbes["DIRECT"]["value"], tumbes["DIRECT"]["target"]) == (1, 2500)
    assert (tumbes_y2["DIRECT"]["value"], tumbes_y2["DIRECT"]["target"]) == (1, None)
    assert tumbes_y2["DIRECT"]["percent"] is None

    # The same figures by from/to, and in the donor CSV of Year 2.
    by_dates = await read({"from": "2020-09-01", "to": "2021-08-31"})
    assert by_dates["DIRECT"]["value"] == 3 and by_dates["DIRECT"]["target"] == 8000
    export = await me.get("/exports/donor.csv", params={"period": "Y2", "view": "exact"})
    rows = list(csv.DictReader(io.StringIO(export.text)))
    value = next(r for r in rows if r["indicator"] == "OE2.7" and r["table"] == "value")
    assert (value["target"], value["count"]) == ("2600", "2")

    # Years are published periods: a viewer may ask for one, not for a day range.
    viewer = phase.indicators.client("viewer")
    shown = await viewer.get("/attainment", params={"period": "Y1"})
    assert shown.status_code == 200, shown.text
    listed = {i["id"]: i for i in shown.json()["indicators"]}
    assert listed["OE2.7"]["value"] == 2 and listed["OE1.1"]["value"] == "<5"
    refused = await viewer.get("/attainment", params={"from": "2019-09-01", "to": "2020-08-30"})
    assert refused.status_code == 422
    both = await viewer.get("/attainment", params={"period": "Y1", "from": "2019-09-01"})
    assert both.status_code == 422 and "not both" in both.text
    suppressed = (await viewer.get("/rollup")).json()["indicators"]
    oe11 = next(i for i in suppressed if i["id"] == "OE1.1")
    assert [y["value"] for y in oe11["years"]] == ["<5", "<5"] and oe11["phase"]["value"] == "<5"
    logframes = (await viewer.get("/logframes")).json()["logframes"][0]
    assert [p["label"] for p in logframes["periods"] if p["kind"] == "year"] == ["Y1", "Y2"]
