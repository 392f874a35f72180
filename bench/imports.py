"""`python -m bench.imports [--rows N] [--concurrency C]`: the bulk import against the same
commands sent through the API by a concurrent client, in one run (issue 25: at least 0.8x).

The cases service runs as its own process on the bench's PostgreSQL and Kafka. The client
sends registrations (`POST /participants`, an idempotency key each, `C` at a time); the import
sends the rows of a participants file of the same shape with the same concurrency, through
`deploy.imports` (dry run, one row recorded per command in its own database). Order: half the
client's requests, all the import's rows, the other half: both see the same growing tables.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvloop

from bench.infrastructure import issuer, servers
from bench.processes import ServiceProcess
from deploy.demo.files import as_csv
from deploy.imports.acts import acts
from deploy.imports.checking import read_row
from deploy.imports.importing import run, start
from deploy.imports.kinds import KINDS
from deploy.imports.sending import Sender, Signer
from deploy.imports.store import JobStore, open_pool
from deploy.local.secrets import ensure_local_secrets
from tests.support.infrastructure import fresh_database

REGIONS = ("lima_callao", "la_libertad", "piura", "tumbes")


def people(first: int, count: int) -> list[dict[str, str]]:
    """Participants rows (the import's file and the client's bodies alike)."""
    day = (datetime.now(UTC) - timedelta(days=200)).date().isoformat()
    return [
        {
            "participant_ref": f"B-{n:07d}",
            "registered_on": day,
            "given_names": "Persona",
            "family_names": f"Banco {n:07d}",
            "document_type": "ptp",
            "document_number": f"BENCH{n:07d}",
            "sex": "woman" if n % 3 else "man",
            "birth_date": "1990-05-01",
            "nationality": "VEN",
            "region": REGIONS[n % 4],
        }
        for n in range(first, first + count)
    ]


async def client_rate(
    url: str, headers: dict[str, str], rows: list[dict[str, str]], concurrency: int
) -> float:
    """Requests per second of a concurrent client registering `rows`."""
    now = datetime.now(UTC)
    bodies = [
        acts("participants", read_row(KINDS["participants"], 2, r, now)[0])[0].body for r in rows
    ]
    queue: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    limits = httpx.Limits(max_connections=concurrency * 2)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60, limits=limits) as c:

        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                key = {"Idempotency-Key": f"bench-{uuid.uuid4()}"}
                for _ in range(60):  # as a careful client does: the same key on every try
                    try:
                        answer = await c.post("/participants", json=body, headers=key)
                    except httpx.TransportError:
                        continue
                    if answer.status_code != 503:
                        break
                    await asyncio.sleep(float(answer.headers.get("Retry-After", "0.25")))
                assert answer.status_code == 201, answer.text

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(bodies) / (time.monotonic() - started)


async def import_rate(
    database: str, url: str, keys_path: Path, rows: list[dict[str, str]], concurrency: int
) -> float:
    pool = await open_pool(database)
    store = JobStore(pool)
    sender = Sender(
        {"cases": url}, Signer(keys_path, "bench-import", "ngo", list(REGIONS)), concurrency
    )
    try:
        content = as_csv("participants", rows).encode()
        started = time.monotonic()
        job, checked = await start(store, sender, "participants", "b.csv", content, "bench")
        assert checked.valid, checked.errors[:3]
        state = await run(store, sender, job, checked, concurrency=concurrency)
        assert state["done"] == len(rows), state
        return len(rows) / (time.monotonic() - started)
    finally:
        await sender.close()
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    with servers() as found:
        secrets = ensure_local_secrets(found.root / "auth")
        keys = issuer(secrets)

        async def measure() -> tuple[float, float, float]:
            async with (
                fresh_database(found.postgres, "bench_cases") as cases_url,
                fresh_database(found.postgres, "bench_imports") as imports_url,
            ):
                cases = ServiceProcess(
                    "services.cases",
                    {**secrets, **found.env("cases"), "PANA_DATABASE_URL": cases_url},
                    found.root / "cases.log",
                )
                with cases.running():

                    def headers() -> dict[str, str]:  # a token each half: one lives an hour
                        return keys.headers("supervisor", regions=list(REGIONS))

                    half = args.rows // 2
                    first = await client_rate(
                        cases.url, headers(), people(0, half), args.concurrency
                    )
                    imported = await import_rate(
                        imports_url,
                        cases.url,
                        keys.key_path,
                        people(10_000_000, args.rows),
                        args.concurrency,
                    )
                    second = await client_rate(
                        cases.url, headers(), people(half, args.rows - half), args.concurrency
                    )
                    return first, imported, second

        first, imported, second = uvloop.run(measure())
    client = 2 / (1 / first + 1 / second)  # the client's rate over all its requests
    print(f"rows {args.rows}, concurrency {args.concurrency}")
    print(f"API client: {client:.0f} registrations/s (halves {first:.0f}, {second:.0f})")
    print(f"import:     {imported:.0f} rows/s (dry run and progress records included)")
    print(f"ratio import/client: {imported / client:.2f} (issue 25 asks at least 0.8)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
