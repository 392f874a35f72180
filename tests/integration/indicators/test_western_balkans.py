"""Issue 23, proof 3 (direct figures): the Western Balkans project runs on data files only.

The cases and indicators services run under `program/programs/western_balkans.yaml` (countries
and municipalities, ethnicity a sensitive attribute, SRMH, GBV and education services) with
the logframe `logframes/western_balkans/roma_women_wb_y1.yaml` (26,150 direct participants, at
least 85% Roma and over 60% women and girls). People are registered with their ethnicity over
HTTP, served, and counted through Kafka; the read API shows the tables by sex and age, by
municipality, by country (derived from the program's tree) and by ethnicity, and the shares
checked as shares, exactly for M&E staff and under the small-cell rule for everyone else. The
project's indirect beneficiaries (target 78,000) come from a group activity's headcounts, a
figure of their own that never changes the direct one.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from program.load import PROGRAMS_DIR, current_program
from services.indicators.logframe import DEFAULT_DIRECTORY
from tests.support.counting import serve_cases_and_indicators
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.services import Keys, RunningService, service_environment
from tests.support.waiting import until

pytestmark = pytest.mark.integration
LOGFRAMES = DEFAULT_DIRECTORY / "western_balkans"
MUNICIPALITIES = ["rs_nis", "rs_belgrade", "ba_tuzla", "me_podgorica", "me_berane"]
SERVED = "2024-03-15T10:00:00+01:00"

# sex, birth date, ethnicity, municipality, services (age groups on 15 March 2024)
PEOPLE = [
    ("woman", "1995-04-10", "roma", "rs_nis", ["srmh_counselling"]),  # youth
    ("woman", "2008-06-01", "roma", "rs_nis", ["school_enrolment_support"]),  # adolescence
    ("woman", "1990-01-15", "roma", "rs_belgrade",
     ["srmh_counselling", "gbv_psychosocial_support"]),  # young adults
    ("woman", "1985-03-03", "roma", "ba_tuzla", ["gbv_legal_counselling"]),  # young adults
    ("woman", "2010-09-09", "roma", "ba_tuzla", ["education_mentoring"]),  # adolescence
    ("woman", "1999-12-12", "egyptian", "me_podgorica", ["srmh_accompaniment"]),  # youth
    ("man", "2007-02-02", "roma", "me_podgorica", ["school_enrolment_support"]),  # adolescence
    ("woman", "1970-05-05", "not_declared", "me_berane", ["srmh_counselling"]),  # adults
]  # fmt: skip


@dataclass
class Balkans:
    cases: RunningService
    indicators: RunningService


@pytest.fixture(scope="module")
async def balkans(
    postgres: PostgresEndpoint, kafka: KafkaEndpoint, keys: Keys
) -> AsyncIterator[Balkans]:
    """Cases and indicators under the Western Balkans program, on their own databases."""
    tag = uuid.uuid4().hex[:8]
    with service_environment(keys) as env:
        env.setenv("PANA_PROGRAM_FILE", str(PROGRAMS_DIR / "western_balkans.yaml"))
        current_program.cache_clear()
        try:
            async with contextlib.AsyncExitStack() as stack:
                yield Balkans(*await serve_cases_and_indicators(
                    stack, postgres, kafka, keys, "balkans",
                    consumer_prefix=f"indicators-balkans-{tag}", logframes_dir=LOGFRAMES,
                    default_logframe="roma_women_wb_y1",
                ))  # fmt: skip
        finally:
            current_program.cache_clear()


async def _ok(answer: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return dict(answer.json())


async def _register_and_serve(cases: httpx.AsyncClient) -> list[str]:
    """Everyone of `PEOPLE` registered (with ethnicity), consenting, with a case, served."""
    ids = []
    for n, (sex, born, ethnicity, where, services) in enumerate(PEOPLE):
        person = await _ok(await cases.post("/participants", json={
            "given_names": "Ajša", "family_names": f"Test {n} {uuid.uuid4().hex[:6]}",
            "sex": sex, "birth_date": born, "nationality": "SRB", "region": where,
            "attributes": {"ethnicity": ethnicity}, "population_type": "host_community",
            "occurred_at": "2024-03-01T10:00:00+01:00",
        }))  # fmt: skip
        pid = person["participant_id"]
        await _ok(await cases.post(f"/participants/{pid}/consents", json={
            "purposes": ["services"], "occurred_at": "2024-03-02T10:00:00+01:00",
        }))  # fmt: skip
        case = await _ok(await cases.post("/cases", json={
            "participant_id": pid, "case_type": "gbv_survivor_support", "intake_channel": "hotline",
            "region": where, "opened_at": "2024-03-03T10:00:00+01:00",
        }))  # fmt: skip
        for service in services:
            await _ok(await cases.post(f"/cases/{case['case_id']}/services", json={
                "service_type": service, "occurred_at": SERVED,
            }))  # fmt: skip
        ids.append(pid)
    return ids


async def _figures(client: httpx.AsyncClient, wanted: int) -> dict[str, dict[str, Any]]:
    """The attainment once the direct figure reached `wanted`, by indicator id."""
    found: dict[str, dict[str, Any]] = {}

    async def counted() -> bool:
        answer = await client.get("/attainment", params={"series": "none"})
        if answer.status_code != 200:
            return False
        found.clear()
        found.update({i["id"]: i for i in answer.json()["indicators"]})
        return bool(found["DIRECT"]["value"] == wanted)

    await until(counted, within=90, what=f"the direct figure reached {wanted}")
    return found


def _table(indicator: dict[str, Any], dimension: str) -> dict[str, dict[str, Any]]:
    return next(t["sex"] for t in indicator["dimensions"] if t["dimension"] == dimension)


def _shares(indicator: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(s["dimension"], s["count"], s["percent"], s["met"]) for s in indicator["shares"]]


def _rows(table: dict[str, dict[str, Any]], *sexes: str) -> dict[str, dict[str, Any]]:
    return {sex: table[sex] for sex in sexes}


async def test_the_western_balkans_direct_figures_from_data_files_only(balkans: Balkans) -> None:
    supervisor = balkans.cases.client("supervisor", regions=MUNICIPALITIES)
    refused = await supervisor.post("/participants", json={
        "given_names": "Ajša", "family_names": "Refused", "sex": "woman",
        "birth_date": "1990-01-01", "nationality": "SRB", "region": "rs_nis",
        "attributes": {"ethnicity": "gypsy"},
    })  # fmt: skip
    assert refused.status_code == 422 and "unknown ethnicity code 'gypsy'" in refused.text
    ids = await _register_and_serve(supervisor)

    me = balkans.indicators.client("me_officer")
    exact = await _figures(me, 8)
    direct = exact["DIRECT"]
    assert (direct["target"], direct["percent"]) == (26150, 0.0)
    assert {i: exact[i]["value"] for i in exact} == {"DIRECT": 8, "O1.1": 4, "O2.1": 2, "O3.1": 3}
    assert _rows(direct["sex_age"], "woman", "man", "total") == {
        "woman": {"early_childhood": 0, "childhood": 0, "adolescence": 2, "youth": 2,
                  "young_adults": 2, "adults": 1, "older_adults": 0, "unknown": 0, "total": 7},
        "man": {"early_childhood": 0, "childhood": 0, "adolescence": 1, "youth": 0,
                "young_adults": 0, "adults": 0, "older_adults": 0, "unknown": 0, "total": 1},
        "total": {"early_childhood": 0, "childhood": 0, "adolescence": 3, "youth": 2,
                  "young_adults": 2, "adults": 1, "older_adults": 0, "unknown": 0, "total": 8},
    }  # fmt: skip
    assert {m: n for m, n in direct["regions"].items() if n} == {
        "rs_nis": 2, "rs_belgrade": 1, "ba_tuzla": 2, "me_podgorica": 2, "me_berane": 1,
    }  # fmt: skip
    assert _rows(_table(direct, "country"), "woman", "man", "total") == {
        "woman": {"BIH": 2, "SRB": 3, "MNE": 2, "unknown": 0, "total": 7},
        "man": {"BIH": 0, "SRB": 0, "MNE": 1, "unknown": 0, "total": 1},
        "total": {"BIH": 2, "SRB": 3, "MNE": 3, "unknown": 0, "total": 8},
    }
    assert _rows(_table(direct, "ethnicity"), "woman", "man", "total") == {
        "woman": {"roma": 5, "egyptian": 1, "ashkali": 0, "other": 0, "not_declared": 1,
                  "unknown": 0, "total": 7},
        "man": {"roma": 1, "egyptian": 0, "ashkali": 0, "other": 0, "not_declared": 0,
                "unknown": 0, "total": 1},
        "total": {"roma": 6, "egyptian": 1, "ashkali": 0, "other": 0, "not_declared": 1,
                  "unknown": 0, "total": 8},
    }  # fmt: skip
    assert _table(exact["O2.1"], "ethnicity")["total"]["roma"] == 2
    assert _shares(direct) == [("ethnicity", 6, 75.0, False), ("sex", 7, 87.5, True)]
    montenegro = (await me.get("/attainment", params={"series": "none", "region": "MNE"})).json()
    first = montenegro["indicators"][0]
    assert (first["value"], first["target"]) == (3, None)  # a country: its municipalities' acts
    assert _table(first, "ethnicity")["total"]["egyptian"] == 1

    # Everyone else: the ethnicity tables and the GBV indicator under the small-cell rule.
    shown = await _figures(balkans.indicators.client("viewer"), 8)
    assert _table(shown["DIRECT"], "ethnicity")["total"] == {
        "roma": 5, "egyptian": "<5", "ashkali": "<5", "other": "<5", "not_declared": "<5",
        "unknown": "<5", "total": 5,
    }  # fmt: skip
    assert _table(shown["DIRECT"], "country") == _table(direct, "country")
    assert _shares(shown["DIRECT"]) == [("ethnicity", 5, 62.5, False), ("sex", 7, 87.5, True)]
    assert shown["O2.1"]["value"] == "<5"
    assert _table(shown["O2.1"], "country")["total"] == {
        "BIH": "<5",
        "SRB": "<5",
        "MNE": "<5",
        "unknown": "<5",
        "total": "<5",
    }

    # A correction of ethnicity moves the person, and the share, with no new act.
    corrected = await supervisor.post(
        f"/participants/{ids[7]}/corrections",
        json={"reason": "self_identification_updated", "attributes": {"ethnicity": "roma"}},
    )
    assert corrected.status_code == 200, corrected.text

    async def moved() -> bool:
        answer = await me.get("/attainment", params={"series": "none"})
        first = answer.json()["indicators"][0]
        return bool(_table(first, "ethnicity")["total"]["roma"] == 7)

    await until(moved, within=60, what="the correction reached the tables")
    after = (await me.get("/attainment", params={"series": "none"})).json()["indicators"][0]
    assert _table(after, "ethnicity")["woman"]["not_declared"] == 0
    assert _shares(after) == [("ethnicity", 7, 87.5, True), ("sex", 7, 87.5, True)]


async def test_the_western_balkans_indirect_beneficiaries_by_headcount(balkans: Balkans) -> None:
    supervisor = balkans.cases.client("supervisor", regions=MUNICIPALITIES)
    me = balkans.indicators.client("me_officer")
    before = (await me.get("/attainment", params={"series": "none"})).json()
    assert before["indirect"]["target"] == 78000
    direct = [(i["id"], i["value"]) for i in before["indicators"]]
    held = await supervisor.post("/group-activities", json={
        "kind": "community_session", "region": "me_berane", "held_at": SERVED,
        "headcounts": [
            {"sex": "woman", "age_group": "young_adults", "count": 30},
            {"sex": "woman", "age_group": "adolescence", "count": 12},
            {"sex": "man", "age_group": "adults", "count": 9},
        ],
    })  # fmt: skip
    assert held.status_code == 201, held.text

    async def counted() -> bool:
        answer = (await me.get("/attainment", params={"series": "none"})).json()
        return bool(answer["indirect"]["value"] == before["indirect"]["value"] + 51)

    await until(counted, within=60, what="the activity's headcounts reached the indirect figure")
    after = (await me.get("/attainment", params={"series": "none", "region": "MNE"})).json()
    assert after["indirect"]["sex_age"]["woman"]["young_adults"] >= 30
    assert after["indirect"]["regions"]["me_berane"] >= 51
    national = (await me.get("/attainment", params={"series": "none"})).json()
    assert [(i["id"], i["value"]) for i in national["indicators"]] == direct  # never mixed in
