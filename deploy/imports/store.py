"""Import jobs and their rows in PostgreSQL: what was sent, so nothing is sent twice.

`import_rows` holds every row a service accepted, by kind and row key, with the answer's ids:
a row there is never sent again (a file imported twice, or resumed after a crash), and later
files find their references in it (a case's `participant_ref`). A row is recorded with its
job's progress in one transaction. The file itself is kept with the job, so an upload's job
resumes from the database alone.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from eventkit.clock import Now, utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS import_jobs (
  job_id uuid PRIMARY KEY, kind text NOT NULL, file_name text NOT NULL, digest text NOT NULL,
  content bytea NOT NULL, uploaded_by text NOT NULL, status text NOT NULL,
  total int NOT NULL, done int NOT NULL DEFAULT 0, skipped int NOT NULL DEFAULT 0,
  refused int NOT NULL DEFAULT 0, errors jsonb NOT NULL DEFAULT '[]', acting jsonb,
  created_at timestamptz NOT NULL, finished_at timestamptz);
CREATE TABLE IF NOT EXISTS import_rows (
  kind text NOT NULL, row_key text NOT NULL, job_id uuid NOT NULL, row_number int NOT NULL,
  participant_ref text, answer jsonb NOT NULL, done_at timestamptz NOT NULL,
  PRIMARY KEY (kind, row_key));
CREATE INDEX IF NOT EXISTS import_rows_person ON import_rows (participant_ref);
"""


async def _json(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda v: orjson.dumps(v).decode(),
        decoder=orjson.loads,
        schema="pg_catalog",
    )


async def open_pool(url: str) -> asyncpg.Pool:
    """A pool on the imports database, its tables created if missing."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=8, init=_json)
    async with pool.acquire() as conn:
        await conn.execute(SCHEMA)
    return pool


@dataclass(frozen=True)
class Done:
    """A row the services accepted: its key, number, person and the ids they answered."""

    key: str
    number: int
    participant_ref: str | None
    answer: dict[str, Any]


class JobStore:
    """Jobs and rows (`dry_run.Refs` too: rows already imported, by kind and key). `clock` is
    the app's: it dates jobs and rows, and is the "now" an import's rows are checked against."""

    def __init__(self, pool: asyncpg.Pool, clock: Now = utc_now) -> None:
        self.pool = pool
        self.clock = clock

    async def create(
        self,
        kind: str,
        file_name: str,
        digest: str,
        content: bytes,
        uploaded_by: str,
        total: int,
        status: str = "running",
        acting: dict[str, Any] | None = None,
    ) -> uuid.UUID:
        """A new job; `acting` is who the rows are sent as (to resume after a restart)."""
        job_id = uuid.uuid4()
        await self.pool.execute(
            "INSERT INTO import_jobs (job_id, kind, file_name, digest, content, uploaded_by,"
            " status, total, created_at, acting) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            job_id,
            kind,
            file_name,
            digest,
            content,
            uploaded_by,
            status,
            total,
            self.clock(),
            acting,
        )
        return job_id

    async def unfinished(self, kind: str, digest: str) -> uuid.UUID | None:
        """A job of the same file that stopped before the end (a crash): resume it."""
        found = await self.pool.fetchval(
            "SELECT job_id FROM import_jobs WHERE kind = $1 AND digest = $2 AND status = 'running'"
            " ORDER BY created_at DESC LIMIT 1",
            kind,
            digest,
        )
        return None if found is None else uuid.UUID(str(found))

    @contextlib.asynccontextmanager
    async def running_alone(self, job_id: uuid.UUID) -> AsyncIterator[bool]:
        """Whether this process holds the job's lock (a session lock, released when the
        block ends or the process dies): False while another process runs the job."""
        async with self.pool.acquire() as conn:
            key = f"pana-import:{job_id}"
            mine = await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key)
            try:
                yield bool(mine)
            finally:
                if mine:
                    await conn.fetchval("SELECT pg_advisory_unlock(hashtext($1))", key)

    async def running(self) -> list[uuid.UUID]:
        rows = await self.pool.fetch("SELECT job_id FROM import_jobs WHERE status = 'running'")
        return [uuid.UUID(str(r["job_id"])) for r in rows]

    async def content(self, job_id: uuid.UUID) -> tuple[str, str, bytes, dict[str, Any]]:
        """A job's kind, file name, file and who it acts as."""
        row = await self.pool.fetchrow(
            "SELECT kind, file_name, content, acting FROM import_jobs WHERE job_id = $1", job_id
        )
        assert row is not None, job_id
        return row["kind"], row["file_name"], bytes(row["content"]), row["acting"] or {}

    async def answers(self, kind: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT row_key, answer FROM import_rows WHERE kind = $1 AND row_key = ANY($2)",
            kind,
            keys,
        )
        return {r["row_key"]: r["answer"] for r in rows}

    async def after(self, participant_ref: str) -> list[str]:
        """The events the person's registration and consents wrote (what others wait on)."""
        rows = await self.pool.fetch(
            "SELECT answer->>'position' AS p FROM import_rows WHERE participant_ref = $1"
            " AND kind IN ('participants', 'consents') ORDER BY done_at DESC LIMIT 4",
            participant_ref,
        )
        return [r["p"] for r in rows if r["p"]]

    async def done(self, job_id: uuid.UUID, kind: str, rows: list[Done]) -> None:
        """Record rows' acts done (all of them, or more of them) and the job's progress in one
        transaction. Rows are recorded in batches: a row sent but not yet recorded when the
        process dies is sent again on resume, and the service answers from its idempotency
        record, so a batch costs nothing in correctness and saves a commit per row."""
        if not rows:
            return
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.executemany(
                "INSERT INTO import_rows (kind, row_key, job_id, row_number, participant_ref,"
                " answer, done_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT (kind, row_key) DO UPDATE SET answer = EXCLUDED.answer,"
                " job_id = EXCLUDED.job_id, done_at = EXCLUDED.done_at",
                [
                    (kind, r.key, job_id, r.number, r.participant_ref, r.answer, self.clock())
                    for r in rows
                ],
            )
            await conn.execute(
                "UPDATE import_jobs SET done = done + $2 WHERE job_id = $1", job_id, len(rows)
            )

    async def begin(self, job_id: uuid.UUID, already: int) -> None:
        """The job's counts as it (re)starts: `already` rows need nothing, of which those this
        job did before a crash are `done`, the others `skipped`; refusals are tried again."""
        await self.pool.execute(
            "WITH mine AS (SELECT count(*)::int AS n FROM import_rows WHERE job_id = $1)"
            " UPDATE import_jobs SET done = mine.n, skipped = $2 - mine.n, refused = 0,"
            " errors = '[]', status = 'running' FROM mine WHERE job_id = $1",
            job_id,
            already,
        )

    async def refused(self, job_id: uuid.UUID, error: dict[str, Any]) -> None:
        await self.pool.execute(
            "UPDATE import_jobs SET refused = refused + 1, errors = errors || $2::jsonb"
            " WHERE job_id = $1",
            job_id,
            [error],
        )

    async def finish(
        self, job_id: uuid.UUID, status: str, errors: list[dict[str, Any]] | None = None
    ) -> None:
        await self.pool.execute(
            "UPDATE import_jobs SET status = $2, finished_at = $3,"
            " errors = CASE WHEN $4::jsonb IS NULL THEN errors ELSE $4::jsonb END"
            " WHERE job_id = $1",
            job_id,
            status,
            self.clock(),
            errors,
        )

    async def job(self, job_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self.pool.fetchrow(
            "SELECT job_id, kind, file_name, uploaded_by, status, total, done, skipped, refused,"
            " errors, created_at, finished_at FROM import_jobs WHERE job_id = $1",
            job_id,
        )
        return None if row is None else dict(row)
