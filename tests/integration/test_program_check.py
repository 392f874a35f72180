"""`pana-ops program-check`: a program file dropping a code the event store uses is refused."""

from __future__ import annotations

import pytest

from deploy.ops.program_check import check_program, codes_in_store
from eventkit.store import append
from program.load import PROGRAMS_DIR, ProgramError, current_program
from program.stored import HistoryKept
from tests.support.store import new_event, open_pool

pytestmark = pytest.mark.integration


async def test_a_program_dropping_codes_history_uses_is_refused(database: str) -> None:
    pool = await open_pool(database, max_size=2)
    async with pool.acquire() as conn, conn.transaction():
        await append(conn, "c-1", 0, [
            new_event("case.opened", {"region": "tumbes", "case_type": "gbv_protection"}),
            new_event("service.delivered", {"region": "tumbes", "service_type": "lodging"}),
        ])  # fmt: skip
        await append(conn, "v-1", 0, [
            new_event("voucher.issued", {"region": "piura", "services": ["exams", "medicines"]}),
        ])  # fmt: skip
    await pool.close()
    await _then_codes_are_read_and_checked(database)


async def _then_codes_are_read_and_checked(database: str) -> None:
    assert await codes_in_store(database) == {
        "case_type": {"gbv_protection"},
        "territory": {"tumbes", "piura"},
        "service": {"lodging"},
        "voucher_coverage": {"exams", "medicines"},
    }
    await check_program(PROGRAMS_DIR / "peru.yaml", [database])
    with pytest.raises(ProgramError, match=r"case_type: gbv_protection; .*territory: piura, t"):
        await check_program(PROGRAMS_DIR / "western_balkans.yaml", [database])


async def test_a_service_whose_program_drops_its_codes_is_not_ready(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = await open_pool(database, max_size=2)
    async with pool.acquire() as conn, conn.transaction():
        await append(conn, "c-1", 0, [new_event("case.opened", {"region": "tumbes"})])
    kept = HistoryKept(pool)
    with pytest.raises(RuntimeError, match="not checked yet"):
        await kept.check()
    await kept.run()
    await kept.check()  # Peru's program keeps tumbes

    monkeypatch.setenv("PANA_PROGRAM_FILE", str(PROGRAMS_DIR / "western_balkans.yaml"))
    current_program.cache_clear()
    try:
        dropped = HistoryKept(pool)
        await dropped.run()
        with pytest.raises(RuntimeError, match="removes codes that recorded events use"):
            await dropped.check()
    finally:
        current_program.cache_clear()
        await pool.close()


async def test_livelihood_lines_and_regularization_profiles_history_uses_are_kept(
    database: str,
) -> None:
    pool = await open_pool(database, max_size=2)
    async with pool.acquire() as conn, conn.transaction():
        await append(conn, "p-1", 0, [
            new_event("livelihood.enrolled", {"region": "piura", "program": "impulsate_pana"}),
        ])  # fmt: skip
        await append(conn, "c-2", 0, [
            new_event("case.opened", {"region": "piura",
                                      "regularization_profile": "vulnerability"}),
            new_event("case.opened", {"region": "piura", "regularization_profile": None}),
        ])  # fmt: skip
    await pool.close()

    seen = await codes_in_store(database)
    assert seen["livelihood_program"] == {"impulsate_pana"}
    assert seen["regularization_profile"] == {"vulnerability"}
    await check_program(PROGRAMS_DIR / "peru.yaml", [database])
    with pytest.raises(ProgramError) as refused:
        await check_program(PROGRAMS_DIR / "western_balkans.yaml", [database])
    assert "livelihood_program: impulsate_pana" in str(refused.value)
    assert "regularization_profile: vulnerability" in str(refused.value)


async def test_attribute_values_history_uses_are_read_from_the_store(database: str) -> None:
    pool = await open_pool(database, max_size=2)
    async with pool.acquire() as conn, conn.transaction():
        await append(conn, "p-1", 0, [new_event("participant.registered", {
            "region": "rs_nis", "attributes": {"ethnicity": "roma"},
        })])  # fmt: skip
        await append(conn, "p-2", 0, [new_event("participant.registered", {"region": "rs_nis"})])
    await pool.close()

    assert (await codes_in_store(database))["ethnicity"] == {"roma"}
    await check_program(PROGRAMS_DIR / "western_balkans.yaml", [database])
    with pytest.raises(ProgramError, match=r"ethnicity: roma"):
        await check_program(PROGRAMS_DIR / "peru.yaml", [database])


async def test_the_sexes_and_age_groups_of_group_headcounts_are_history_too(
    database: str,
) -> None:
    """A group activity's headcounts carry a sex and an age group each (inside a list): a
    program dropping one that a stored headcount uses is refused, naming it."""
    pool = await open_pool(database, max_size=2)
    async with pool.acquire() as conn, conn.transaction():
        await append(conn, "g-1", 0, [
            new_event("group_activity.recorded", {"region": "tumbes", "headcounts": [
                {"sex": "non_binary", "age_group": "youth", "count": 2},
                {"sex": "woman", "age_group": "adults", "count": 4},
            ]}),
        ])  # fmt: skip
    await pool.close()
    seen = await codes_in_store(database)
    assert seen["sex"] == {"non_binary", "woman"}
    assert seen["age_group"] == {"youth", "adults"}
    await check_program(PROGRAMS_DIR / "peru.yaml", [database])
    with pytest.raises(ProgramError, match=r"sex: non_binary"):
        await check_program(PROGRAMS_DIR / "western_balkans.yaml", [database])
