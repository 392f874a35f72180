"""`pana-ops program-check`: a program file dropping a code the event store uses is refused."""

from __future__ import annotations

import pytest

from deploy.ops.program_check import check_program, codes_in_store
from eventkit.store import NewEvent, append
from program.load import PROGRAMS_DIR, ProgramError
from tests.support.store import open_pool

pytestmark = pytest.mark.integration


async def test_a_program_dropping_codes_history_uses_is_refused(database: str) -> None:
    pool = await open_pool(database, max_size=2)
    async with pool.acquire() as conn, conn.transaction():
        await append(conn, "c-1", 0, [
            NewEvent("case.opened", {"region": "tumbes", "case_type": "gbv_protection"}),
            NewEvent("service.delivered", {"region": "tumbes", "service_type": "lodging"}),
        ])  # fmt: skip
        await append(conn, "v-1", 0, [
            NewEvent("voucher.issued", {"region": "piura", "services": ["exams", "medicines"]}),
        ])  # fmt: skip
    await pool.close()

    assert await codes_in_store(database) == {
        "territory": {"tumbes", "piura"},
        "service": {"lodging"},
        "voucher_coverage": {"exams", "medicines"},
    }
    await check_program(PROGRAMS_DIR / "peru.yaml", [database])
    with pytest.raises(ProgramError, match=r"territory: piura, tumbes"):
        await check_program(PROGRAMS_DIR / "western_balkans.yaml", [database])
