"""Liveness and readiness: `/healthz` says the process runs; `/readyz` that it can do its work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import asyncpg
from aiokafka import AIOKafkaClient
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from eventkit.kafka_access import KafkaAccess, as_access

Check = Callable[[], Awaitable[None]]


def database_check(pool: asyncpg.Pool) -> Check:
    """Ready when a `SELECT 1` round-trips through the service's pool."""

    async def check() -> None:
        async with pool.acquire() as conn:
            await conn.fetchval("SELECT 1")

    return check


def kafka_check(kafka: KafkaAccess | str, timeout: float) -> Check:
    """Ready when a broker answers a metadata request (a real round trip, not a port probe)."""

    async def check() -> None:
        client = AIOKafkaClient(
            **as_access(kafka).options(),
            request_timeout_ms=int(timeout * 1000),
            metadata_max_age_ms=60_000,
        )
        try:
            await client.bootstrap()
        finally:
            await client.close()

    return check


def health_router(checks: Mapping[str, Check], timeout: float) -> APIRouter:
    """The two probe endpoints, shared by every service."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Its database and Kafka are reachable",
        responses={503: {"description": "A dependency is unreachable; the body names it"}},
    )
    async def readyz() -> JSONResponse:
        results = await asyncio.gather(*(_run(c, timeout) for c in checks.values()))
        failed = {name: r for name, r in zip(checks, results, strict=True) if r is not None}
        if failed:
            reason = "; ".join(f"{name} unreachable: {why}" for name, why in failed.items())
            return JSONResponse(
                {"status": "unavailable", "reason": reason, "failed": failed}, status_code=503
            )
        return JSONResponse({"status": "ready", "checks": dict.fromkeys(checks, "ok")})

    return router


async def _run(check: Check, seconds: float) -> str | None:
    try:
        await asyncio.wait_for(check(), seconds)
    except TimeoutError:
        return f"no answer within {seconds:g}s"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    return None
