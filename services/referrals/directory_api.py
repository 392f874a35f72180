"""HTTP routes of the receiving-units directory and of the time-to-answer metrics."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from access.disclosure import sees_exact
from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from contracts.scalars import PlausibleQueryDateTime
from eventkit.decider import Refused
from eventkit.dependencies import Clock, Pool
from eventkit.http import refused
from program.known import KnownDestination, KnownTerritory
from services.referrals import commands, directory, metrics, queries
from services.referrals.requests import UnitChange, UnitRequest
from services.referrals.settings import ReferralsConfig

router = APIRouter(tags=["directory and metrics"])


@router.post("/units", status_code=201, summary="Add a receiving unit to the directory")
async def add_unit(body: UnitRequest, pool: Pool, principal: CurrentPrincipal) -> dict[str, Any]:
    authorize(principal, "directory.manage", ResourceScope())
    try:
        async with pool.acquire() as conn, conn.transaction():
            return await commands.add_unit(conn, principal, body.model_dump(mode="json"))
    except Refused as refusal:
        raise refused(refusal) from None


@router.patch("/units/{unit_id}", summary="Rename a unit, change its contact, account or activity")
async def change_unit(
    unit_id: uuid.UUID, body: UnitChange, pool: Pool, principal: CurrentPrincipal
) -> dict[str, Any]:
    authorize(principal, "directory.manage", ResourceScope())
    try:
        async with pool.acquire() as conn, conn.transaction():
            return await commands.change_unit(
                conn, principal, unit_id, body.model_dump(mode="json")
            )
    except Refused as refusal:
        raise refused(refusal) from None


@router.get("/units", summary="The receiving units and their contacts (case teams, admin)")
async def list_units(
    pool: Pool,
    principal: CurrentPrincipal,
    region: KnownTerritory | None = None,
    destination: KnownDestination | None = None,
) -> list[dict[str, Any]]:
    authorize(principal, "directory.read_units", ResourceScope())
    async with pool.acquire() as conn:
        return await directory.listing(conn, region, destination)


def _min_cell(settings: ReferralsConfig) -> int:
    """`PANA_METRICS_MIN_CELL`: the fewest referrals a cell shows figures for."""
    return settings.metrics_min_cell


@router.get("/metrics/time-to-answer", summary="Time to answer per destination type and region")
async def time_to_answer(
    principal: CurrentPrincipal,
    period_from: Annotated[PlausibleQueryDateTime | None, Query(alias="from")] = None,
    period_to: Annotated[PlausibleQueryDateTime | None, Query(alias="to")] = None,
    *,
    pool: Pool,
    clock: Clock,
    min_cell: Annotated[int, Depends(_min_cell)],
) -> dict[str, Any]:
    authorize(principal, "indicators.read", ResourceScope())
    exact = sees_exact(principal)
    if exact:
        end = _aware(period_to) if period_to else clock() + timedelta(seconds=1)
        start = _aware(period_from) if period_from else end - timedelta(days=365)
    else:  # two windows a second apart would give a referral back: fixed periods only
        try:
            start, end = metrics.fixed_period(
                period_from and _aware(period_from),
                period_to and _aware(period_to),
                clock(),
            )
        except metrics.UnpublishedPeriod as refused_period:
            raise HTTPException(422, str(refused_period)) from None
    async with pool.acquire() as conn:
        cells = metrics.time_to_answer(await queries.time_to_answer(conn, start, end),
                                       min_cell, exact)  # fmt: skip
    return {"from": start, "to": end, "min_cell": min_cell, "exact": exact, "cells": cells}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
