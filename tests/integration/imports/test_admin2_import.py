"""A case, a referral and a voucher imported with their province (the `admin2` column): each
row's command carries it, and the owning service keeps it on the event the R4V 5W's Admin2 is
read from."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg
import pytest

from deploy.demo.files import provider_name, unit_name
from deploy.imports.importing import run, start
from tests.integration.imports.conftest import ImportSystem

pytestmark = pytest.mark.integration


async def _import(system: ImportSystem, kind: str, text: str) -> dict[str, Any]:
    sender = system.sender()
    try:
        job, checked = await start(
            system.store, sender, kind, f"{kind}.csv", text.encode(), "import:m&e"
        )
        assert checked.valid, [e.line() for e in checked.errors]
        return await run(system.store, sender, job, checked)
    finally:
        await sender.close()


async def _admin2(url: str, event_type: str, stream_id: str) -> list[str | None]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT data->>'admin2' AS admin2 FROM events"
            " WHERE event_type = $1 AND stream_id::text = $2",
            event_type,
            stream_id,
        )
    finally:
        await conn.close()
    return [r["admin2"] for r in rows]


async def test_a_case_a_referral_and_a_voucher_keep_the_province_of_their_row(
    system: ImportSystem,
) -> None:
    tag = uuid.uuid4().hex[:8]
    person, case, referral, voucher = (f"{k}-A2-{tag}" for k in "PCRV")
    valid_until = (date.today() + timedelta(days=60)).isoformat()
    files = {
        "participants": "participant_ref,given_names,family_names,sex,birth_date,nationality,"
        f"region\n{person},Persona,Demo Provincia,woman,1990-01-01,VEN,tumbes\n",
        "consents": "participant_ref,purposes,given_by\n"
        f"{person},services;referral_sharing;monitoring_evaluation,participant\n",
        "cases": "case_ref,participant_ref,case_type,intake_channel,region,admin2\n"
        f"{case},{person},health,admission_form,tumbes,tumbes_zarumilla\n",
        "referrals": "referral_ref,case_ref,unit,region,assistance_type,reason,shared_sex,admin2\n"
        f"{referral},{case},{unit_name('tumbes', 'CSMC')},tumbes,medical,mental_health_care,"
        "woman,tumbes_tumbes\n",
        "vouchers": "voucher_ref,case_ref,provider,region,services,amount,valid_until,admin2\n"
        f"{voucher},{case},{provider_name('tumbes')},tumbes,consultation,80.00,{valid_until},"
        "tumbes_contralmirante_villar\n",
    }
    for kind, text in files.items():
        done = await _import(system, kind, text)
        assert (done["done"], done["refused"]) == (1, 0), (kind, done)

    ids = {
        kind: next(iter((await system.store.answers(kind, [ref])).values()))
        for kind, ref in (("cases", case), ("referrals", referral), ("vouchers", voucher))
    }
    cases_db = system.cases.app.state.settings.database_url
    referrals_db = system.referrals.app.state.settings.database_url
    vouchers_db = system.vouchers.app.state.settings.database_url
    assert await _admin2(cases_db, "case.opened", ids["cases"]["case_id"]) == ["tumbes_zarumilla"]
    assert await _admin2(referrals_db, "referral.requested", ids["referrals"]["referral_id"]) == [
        "tumbes_tumbes"
    ]
    assert await _admin2(vouchers_db, "voucher.issued", ids["vouchers"]["voucher_id"]) == [
        "tumbes_contralmirante_villar"
    ]
