"""`deploy.ops audit-checkpoint` and `verify-audit` on a real PostgreSQL: a history rewritten
with the public hash, as a database superuser can, is detected through the auditor's signed
checkpoint (issue 20, point 6)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import asyncpg
import pytest

from access.audit_chain import AuditRecord, record_hash
from tests.integration.access.test_audit_log import append_many

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


async def ops(database: str, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "PANA_CASES_DATABASE_URL": database}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "deploy.ops", *args, env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def rewrite_from(pool: asyncpg.Pool, sequence: int) -> None:
    """Change record `sequence` and recompute every later hash with the public function."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        rows = await conn.fetch(
            "SELECT * FROM audit_log WHERE sequence >= $1 ORDER BY sequence", sequence
        )
        previous = await conn.fetchval(
            "SELECT previous_hash FROM audit_log WHERE sequence = $1", sequence
        )
        for row in rows:
            record = AuditRecord(
                row["actor_subject"], row["actor_org"], row["actor_role"], row["action"],
                row["resource_type"], row["resource_id"],
                "denied" if row["sequence"] == sequence else row["outcome"], row["purpose"],
            )  # fmt: skip
            digest = record_hash(row["sequence"], row["recorded_at"], record, previous)
            await conn.execute(
                "UPDATE audit_log SET outcome = $2, previous_hash = $3, hash = $4"
                " WHERE sequence = $1",
                row["sequence"], record.outcome, previous, digest,
            )  # fmt: skip
            previous = digest
        await conn.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")


async def test_a_rewritten_history_is_caught_by_the_signed_checkpoint(
    pool: asyncpg.Pool, database: str, tmp_path: Path
) -> None:
    auditor, checkpoints = tmp_path / "auditor", tmp_path / "checkpoints"
    assert (await ops(database, "audit-keygen", "--out", str(auditor)))[0] == 0
    await append_many(pool, 5)
    signed = await ops(
        database, "audit-checkpoint", "--service", "cases",
        "--auditor-key", str(auditor / "auditor-key.pem"), "--checkpoints", str(checkpoints),
    )  # fmt: skip
    assert signed[0] == 0, signed
    assert signed[1].startswith("cases: signed head 5:")
    verify = ("verify-audit", "--service", "cases", "--checkpoints", str(checkpoints),
              "--auditor-public-key", str(auditor / "auditor-key.pub.pem"))  # fmt: skip
    code, out, _ = await ops(database, *verify)
    assert code == 0 and "1 signed checkpoints hold" in out

    await rewrite_from(pool, 2)
    code, out, _ = await ops(database, "verify-audit", "--service", "cases")
    assert code == 0  # the public hash alone cannot tell...
    code, _, err = await ops(database, *verify)
    assert (code, err.strip()) == (
        1,
        "broken at record 5: record 5 is not the one the auditor signed: the history was rewritten",
    )  # ...the auditor's checkpoint can

    (checkpoints / "cases.jsonl").write_text(
        (checkpoints / "cases.jsonl").read_text().replace('"sequence": 5', '"sequence": 1')
    )  # moving the checkpoint breaks its signature
    code, _, err = await ops(database, *verify)
    assert code == 1 and "does not carry the auditor's signature" in err
