"""The baseline of benchmark 3: a bare FastAPI endpoint doing one PostgreSQL insert.

`python -m bench.bare_service` reads `PANA_DATABASE_URL` and `PANA_PORT` and runs under uvicorn
with the same options as the platform's services (`eventkit.service.serve`): uvloop, httptools,
no access log. No auth, no idempotency, no events: a validated JSON body, one INSERT, a 201.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import asyncpg
import uvicorn
from fastapi import FastAPI, Request
from pydantic import BaseModel

DDL = """
CREATE TABLE IF NOT EXISTS redemptions (
    id          uuid PRIMARY KEY,
    code        text NOT NULL,
    amount      numeric NOT NULL,
    receipt     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
)
"""


class Redemption(BaseModel):
    code: str
    amount: Decimal
    services: list[str]
    receipt_number: str


async def _insert(db: asyncpg.Pool | asyncpg.Connection, body: Redemption) -> dict[str, str]:
    redemption_id = uuid.uuid4()
    await db.execute(
        "INSERT INTO redemptions (id, code, amount, receipt) VALUES ($1, $2, $3, $4)",
        redemption_id,
        body.code,
        body.amount,
        body.receipt_number,
    )
    return {"redemption_id": str(redemption_id)}


def create_app(database_url: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(database_url, min_size=1, max_size=20)
        await app.state.pool.execute(DDL)
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.post("/redemptions", status_code=201)
    async def redeem(body: Redemption, request: Request) -> dict[str, str]:
        return await _insert(request.app.state.pool, body)

    @app.post("/redemptions/round-trips/{statements}", status_code=201)
    async def redeem_in_round_trips(
        statements: int, body: Redemption, request: Request
    ) -> dict[str, str]:
        """The same INSERT after `statements - 1` trivial ones, in one transaction.

        A redemption's round trips to PostgreSQL without its work: what they cost on their own.
        """
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            for n in range(statements - 1):
                await conn.fetchval("SELECT $1::int", n)
            return await _insert(conn, body)

    return app


if __name__ == "__main__":
    uvicorn.run(
        create_app(os.environ["PANA_DATABASE_URL"]),
        host="127.0.0.1",
        port=int(os.environ["PANA_PORT"]),
        log_config=None,
        access_log=False,
    )
