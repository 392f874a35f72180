"""Participant data keys in a real PostgreSQL: the store contract and crypto-shredding."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
import pytest

from access.crypto import MasterKey, PersonalDataCipher
from access.participant_keys import Erased, ParticipantKeyStore, PostgresParticipantKeys
from tests.contract.participant_keys import CONTRACT

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("check", CONTRACT, ids=[c.__name__ for c in CONTRACT])
async def test_postgres_store_keeps_the_contract(
    pool: asyncpg.Pool, check: Callable[[ParticipantKeyStore], Awaitable[None]]
) -> None:
    async with pool.acquire() as conn:
        await check(PostgresParticipantKeys(conn))


async def test_erasure_leaves_no_wrapped_key_in_the_table(pool: asyncpg.Pool) -> None:
    master = MasterKey(os.urandom(32))
    async with pool.acquire() as conn, conn.transaction():
        cipher = PersonalDataCipher(master, PostgresParticipantKeys(conn))
        sealed = await cipher.encrypt("p-7", {"name": "María Quispe", "phone": "51987654321"})
    async with pool.acquire() as conn, conn.transaction():
        await PersonalDataCipher(master, PostgresParticipantKeys(conn)).erase(
            "p-7", datetime.now(UTC)
        )
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT wrapped_key, destroyed_at FROM participant_keys WHERE participant_id = 'p-7'"
        )
        assert row is not None
        assert row["wrapped_key"] is None
        assert row["destroyed_at"] is not None
        with pytest.raises(Erased):
            await PersonalDataCipher(master, PostgresParticipantKeys(conn)).decrypt("p-7", sealed)


async def test_concurrent_first_writes_share_one_key(pool: asyncpg.Pool) -> None:
    master = MasterKey(os.urandom(32))
    start = asyncio.Event()

    async def first_write(n: int) -> dict[str, str]:
        async with pool.acquire() as conn:
            await start.wait()
            async with conn.transaction():
                cipher = PersonalDataCipher(master, PostgresParticipantKeys(conn))
                return await cipher.encrypt("p-race", {"name": f"name-{n}"})

    tasks = [asyncio.create_task(first_write(n)) for n in range(10)]
    start.set()
    sealed = await asyncio.gather(*tasks)
    async with pool.acquire() as conn:
        cipher = PersonalDataCipher(master, PostgresParticipantKeys(conn))
        opened = [await cipher.decrypt("p-race", fields) for fields in sealed]
        keys = await conn.fetchval("SELECT count(*) FROM participant_keys")
    assert [o["name"] for o in opened] == [f"name-{n}" for n in range(10)]
    assert keys == 1
