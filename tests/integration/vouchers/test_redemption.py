"""Clinics redeem vouchers over real HTTP on real PostgreSQL: every rule, retries, races."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.roster import case_of, register
from tests.support.services import RunningService

pytestmark = pytest.mark.integration
LATER = (datetime.now(UTC) + timedelta(days=30)).isoformat()


async def _provider(vouchers: RunningService, region: str = "lima_callao") -> str:
    admin = vouchers.client("administrator")
    answer = await admin.post(
        "/providers",
        json={"name": "Clínica Uno", "region": region, "kind": "clinic",
              "services": ["consultation", "exams", "medicines"]},
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    return str(answer.json()["provider_id"])


async def _issue(
    vouchers: RunningService, provider_id: str | None, **overrides: Any
) -> dict[str, Any]:
    """A voucher for a participant (new unless given) known to the service's copy."""
    caseworker = vouchers.client("caseworker", regions=["lima_callao"])
    participant = await register(vouchers, overrides.pop("participant_id", None))
    body = {
        "case_id": case_of(participant),
        "participant_id": participant,
        "provider_id": provider_id,
        "region": "lima_callao",
        "services": ["consultation", "medicines"],
        "amount": "200.00",
        "valid_until": LATER,
        **overrides,
    }
    answer = await caseworker.post("/vouchers", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _clinic(vouchers: RunningService, provider_id: str) -> httpx.AsyncClient:
    return vouchers.client("clinic", provider_id=provider_id)


def _redeem(code: str, amount: str, receipt: str = "B001-1") -> dict[str, Any]:
    return {"code": code, "amount": amount, "services": ["consultation"], "receipt_number": receipt}


async def test_a_retry_with_the_same_key_returns_the_same_answer_and_appends_nothing(
    vouchers: RunningService,
) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider)
    clinic = _clinic(vouchers, provider)
    headers = {"Idempotency-Key": "clinic-retry-0001"}
    first = await clinic.post(
        "/redemptions", json=_redeem(voucher["code"], "50.00"), headers=headers
    )
    retry = await clinic.post(
        "/redemptions", json=_redeem(voucher["code"], "50.00"), headers=headers
    )
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    pool = vouchers.app.state.pool
    assert (
        await pool.fetchval("SELECT count(*) FROM events WHERE event_type = 'voucher.redeemed'")
        == 1
    )
    other = await clinic.post(
        "/redemptions", json=_redeem(voucher["code"], "60.00"), headers=headers
    )
    assert other.status_code == 422
    assert "different request" in other.json()["detail"]


async def test_a_key_reused_by_another_clinic_never_replays_the_first_clinics_answer(
    vouchers: RunningService,
) -> None:
    first_provider, second_provider = await _provider(vouchers), await _provider(vouchers)
    voucher = await _issue(vouchers, None)  # any provider of the region
    # Same subject and organisation on purpose: only the provider tells the callers apart.
    first = vouchers.client("clinic", provider_id=first_provider, sub="front-desk")
    second = vouchers.client("clinic", provider_id=second_provider, sub="front-desk")
    key = {"Idempotency-Key": f"shared-{uuid.uuid4().hex[:8]}"}
    body = _redeem(voucher["code"], "50.00")
    answered = await first.post("/redemptions", json=body, headers=key)
    assert answered.status_code == 201, answered.text
    reused = await second.post("/redemptions", json=body, headers=key)
    assert "Idempotent-Replayed" not in reused.headers
    assert reused.status_code == 409, reused.text  # its own answer: already redeemed
    other = await second.post("/redemptions", json=_redeem(voucher["code"], "9.00"), headers=key)
    assert "different request" not in other.text  # nothing said about another caller's key
    replay = await first.post("/redemptions", json=body, headers=key)
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json() == answered.json()


async def test_fifty_concurrent_redemptions_never_exceed_the_maximum(
    vouchers: RunningService,
) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider, allows_partial=True, amount="200.00")
    clinic = _clinic(vouchers, provider)

    async def attempt(i: int) -> httpx.Response:
        return await clinic.post(
            "/redemptions",
            json=_redeem(voucher["code"], "15.00", f"R-{i}"),
            headers={"Idempotency-Key": f"race-{i:04d}-{uuid.uuid4().hex[:6]}"},
        )

    answers = await asyncio.gather(*(attempt(i) for i in range(50)))
    won = [a for a in answers if a.status_code == 201]
    lost = [a for a in answers if a.status_code != 201]
    assert len(won) == 13  # 13 x 15.00 = 195.00 <= 200.00 < 14 x 15.00
    assert all(a.status_code in (409, 422) for a in lost), {a.status_code for a in lost}
    assert all(
        a.json()["detail"]["rule"] == "exceeds_maximum" for a in lost if a.status_code == 422
    )
    pool = vouchers.app.state.pool
    rows = await pool.fetch(
        "SELECT data FROM events WHERE event_type = 'voucher.redeemed' AND stream_id = $1",
        voucher["voucher_id"],
    )
    assert {r["data"]["redemption_id"] for r in rows} == {a.json()["redemption_id"] for a in won}
    assert sum(Decimal(r["data"]["amount"]) for r in rows) == Decimal("195.00")


@pytest.mark.parametrize(
    ("setup", "amount", "status", "rule"),
    [
        ("single_use_twice", "10.00", 409, "already_redeemed"),
        ("above_maximum", "250.00", 422, "exceeds_maximum"),
        ("cancelled", "10.00", 409, "cancelled"),
        ("other_provider", "10.00", 404, "voucher_not_found"),  # as the lookup: nothing said
        ("awaiting_approval", "10.00", 409, "awaiting_approval"),
        ("bad_code", "10.00", 422, "invalid_code"),
        ("unknown_code", "10.00", 404, "voucher_not_found"),
    ],
)
async def test_each_refusal_names_its_rule(
    vouchers: RunningService, setup: str, amount: str, status: int, rule: str
) -> None:
    provider = await _provider(vouchers)
    clinic = _clinic(vouchers, provider)
    voucher = await _issue(
        vouchers, provider, amount="5000.00" if setup == "awaiting_approval" else "200.00"
    )
    code = voucher["code"]
    if setup == "single_use_twice":
        first = await clinic.post(
            "/redemptions", json=_redeem(code, "10.00", "B001-0"),  # its own receipt
            headers={"Idempotency-Key": "first-000001"},
        )  # fmt: skip
        assert first.status_code == 201
    if setup == "cancelled":
        cw = vouchers.client("caseworker", regions=["lima_callao"])
        cancelled = await cw.post(
            f"/vouchers/{voucher['voucher_id']}/cancel", json={"reason": "no_longer_needed"}
        )
        assert cancelled.status_code == 200, cancelled.text
    if setup == "other_provider":
        clinic = _clinic(vouchers, await _provider(vouchers))
    if setup == "bad_code":
        code = code[:-1] + ("0" if code[-1] != "0" else "1")
    if setup == "unknown_code":
        from services.vouchers.code import new_code

        code = new_code()
    answer = await clinic.post(
        "/redemptions", json=_redeem(code, amount), headers={"Idempotency-Key": f"k-{uuid.uuid4()}"}
    )
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]["rule"] == rule


async def test_redemption_needs_an_idempotency_key_and_a_clinic(vouchers: RunningService) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider)
    no_key = await _clinic(vouchers, provider).post(
        "/redemptions", json=_redeem(voucher["code"], "5.00")
    )
    assert no_key.status_code == 422
    assert "Idempotency-Key" in no_key.text
    caseworker = vouchers.client("caseworker", regions=["lima_callao"])
    denied = await caseworker.post(
        "/redemptions",
        json=_redeem(voucher["code"], "5.00"),
        headers={"Idempotency-Key": "cw-000001"},
    )
    assert denied.status_code == 403


async def test_what_a_clinic_sees_is_the_documented_minimum(vouchers: RunningService) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider)
    seen = await _clinic(vouchers, provider).post("/lookup", json={"code": voucher["qr_payload"]})
    assert seen.status_code == 200, seen.text
    assert set(seen.json()) == {
        "voucher_id", "code", "status", "services", "maximum", "remaining", "currency",
        "maximum_pen", "remaining_pen", "valid_until", "single_use", "redeemable", "refusal",
    }  # fmt: skip
    assert seen.json()["currency"] == "PEN"
    assert seen.json()["maximum"] == seen.json()["maximum_pen"]  # the deprecated name, the same
    assert seen.json()["redeemable"] is True
    stranger = await _clinic(vouchers, await _provider(vouchers)).post(
        "/lookup", json={"code": voucher["code"]}
    )
    assert stranger.status_code == 404  # another provider's voucher does not exist for it
    redeemed = await _clinic(vouchers, provider).post(
        "/redemptions", json=_redeem(voucher["code"], "50.00"),
        headers={"Idempotency-Key": f"neutral-{uuid.uuid4().hex[:8]}"},
    )  # fmt: skip
    assert redeemed.status_code == 201, redeemed.text
    answer = redeemed.json()
    assert (answer["amount"], answer["currency"]) == ("50.00", "PEN")
    assert answer["remaining"] == answer["remaining_pen"]  # the deprecated name, the same


async def test_a_voucher_code_never_travels_in_a_url(vouchers: RunningService) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider)
    clinic = _clinic(vouchers, provider)
    in_url = await clinic.get("/lookup", params={"code": voucher["code"]})
    assert in_url.status_code == 405  # the query form is gone
    document = (await clinic.get("/openapi.json")).json()
    in_query = [
        (path, parameter["name"])
        for path, operations in document["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] in ("query", "path") and "code" in parameter["name"]
    ]
    assert in_query == []


async def test_reconciliation_totals_equal_the_sum_over_the_events(
    vouchers: RunningService,
) -> None:
    provider = await _provider(vouchers)
    clinic = _clinic(vouchers, provider)
    for i, amount in enumerate(["12.50", "40.00", "7.25"]):
        voucher = await _issue(vouchers, provider)
        answer = await clinic.post(
            "/redemptions", json=_redeem(voucher["code"], amount, f"F-{i}"),
            headers={"Idempotency-Key": f"rec-{i}-{uuid.uuid4().hex[:6]}"},
        )  # fmt: skip
        assert answer.status_code == 201
    start = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    end = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    statement = await clinic.get(f"/reconciliation/{provider}", params={"from": start, "to": end})
    assert statement.status_code == 200, statement.text
    pool = vouchers.app.state.pool
    rows = await pool.fetch(
        "SELECT data FROM events"
        " WHERE event_type = 'voucher.redeemed' AND data->>'provider_id' = $1",
        provider,
    )
    assert Decimal(statement.json()["total_pen"]) == sum(Decimal(r["data"]["amount"]) for r in rows)
    assert statement.json()["total_pen"] == "59.75"
    assert (statement.json()["total"], statement.json()["currency"]) == ("59.75", "PEN")
    csv = await clinic.get(
        f"/reconciliation/{provider}", params={"from": start, "to": end, "format": "csv"}
    )
    assert csv.text.strip().splitlines()[-1].endswith("59.75")


async def _metrics(vouchers: RunningService) -> str:
    async with httpx.AsyncClient(base_url=vouchers.url) as anonymous:
        return (await anonymous.get("/metrics")).text


def _soles_redeemed(metrics: str) -> float:
    prefix = 'pana_voucher_redeemed_pen_total{region="lima_callao"}'
    redeemed = [line for line in metrics.splitlines() if line.startswith(prefix)]
    return float(redeemed[0].split()[-1]) if redeemed else 0.0


async def test_metrics_show_requests_and_soles_redeemed(vouchers: RunningService) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider)
    key = {"Idempotency-Key": f"metrics-{uuid.uuid4().hex[:8]}"}
    clinic = _clinic(vouchers, provider)
    before = _soles_redeemed(await _metrics(vouchers))
    for _ in range(2):  # the retry must not count twice
        await clinic.post("/redemptions", json=_redeem(voucher["code"], "33.00"), headers=key)
    refused = await clinic.post(  # a single-use voucher: refused, so not counted either
        "/redemptions",
        json=_redeem(voucher["code"], "10.00"),
        headers={"Idempotency-Key": f"metrics-{uuid.uuid4().hex[:8]}"},
    )
    assert refused.status_code == 409, refused.text
    text = await _metrics(vouchers)
    assert (
        'pana_http_requests_total{method="POST",route="/redemptions",service="vouchers",status="201"}'
        in text
    )
    assert _soles_redeemed(text) - before == 33.0
    assert "pana_outbox_backlog" in text


async def test_a_provider_not_active_in_the_directory_cannot_redeem(
    vouchers: RunningService,
) -> None:
    admin = vouchers.client("administrator")
    added = await admin.post(
        "/providers",
        json={"name": "Clínica Suspendida", "region": "lima_callao", "kind": "clinic",
              "services": ["consultation"], "active": False},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    voucher = await _issue(vouchers, None)  # any provider of the region
    answer = await _clinic(vouchers, str(added.json()["provider_id"])).post(
        "/redemptions",
        json=_redeem(voucher["code"], "5.00"),
        headers={"Idempotency-Key": f"inactive-{uuid.uuid4().hex[:8]}"},
    )
    assert answer.status_code == 403, answer.text
    assert answer.json()["detail"]["rule"] == "provider_not_active"
    looked_up = await _clinic(vouchers, str(added.json()["provider_id"])).post(
        "/lookup", json={"code": voucher["code"]}
    )
    assert looked_up.status_code == 403, looked_up.text
    for path in ("/redemptions", "/lookup"):  # a token naming no provider id at all: 403, no 500
        stranger = _clinic(vouchers, "not-a-provider-id")
        refused = await (
            stranger.post(
                path,
                json=_redeem(voucher["code"], "5.00"),
                headers={"Idempotency-Key": f"stranger-{uuid.uuid4().hex[:8]}"},
            )
            if path == "/redemptions"
            else stranger.post(path, json={"code": voucher["code"]})
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["detail"]["rule"] == "provider_not_active"
    pool = vouchers.app.state.pool
    redeemed = await pool.fetchval(
        "SELECT count(*) FROM events WHERE event_type = 'voucher.redeemed' AND stream_id = $1",
        str(voucher["voucher_id"]),
    )
    assert redeemed == 0


async def _reverse(vouchers: RunningService, voucher_id: str, redemption_id: str) -> None:
    admin = vouchers.client("administrator")
    answer = await admin.post(
        f"/vouchers/{voucher_id}/redemptions/{redemption_id}/reverse",
        json={"reason": "billing_error"},
    )
    assert answer.status_code == 200, answer.text


async def test_a_receipt_number_pays_one_redemption_per_provider(vouchers: RunningService) -> None:
    provider, other = await _provider(vouchers), await _provider(vouchers)
    clinic = _clinic(vouchers, provider)
    one, two = await _issue(vouchers, None), await _issue(vouchers, None)
    first = await clinic.post("/redemptions", json=_redeem(one["code"], "20.00", "F001-77"),
                              headers={"Idempotency-Key": f"r-{uuid.uuid4()}"})  # fmt: skip
    assert first.status_code == 201, first.text

    again = await clinic.post("/redemptions", json=_redeem(two["code"], "20.00", "F001-77"),
                              headers={"Idempotency-Key": f"r-{uuid.uuid4()}"})  # fmt: skip
    assert again.status_code == 409, again.text
    assert again.json()["detail"]["rule"] == "receipt_already_used"
    assert first.json()["redemption_id"] in again.json()["detail"]["message"]  # names the first

    elsewhere = await _clinic(vouchers, other).post(  # receipts are numbered per provider
        "/redemptions", json=_redeem(two["code"], "20.00", "F001-77"),
        headers={"Idempotency-Key": f"r-{uuid.uuid4()}"},
    )  # fmt: skip
    assert elsewhere.status_code == 201, elsewhere.text

    await _reverse(vouchers, one["voucher_id"], first.json()["redemption_id"])
    three = await _issue(vouchers, None)
    reused = await clinic.post("/redemptions", json=_redeem(three["code"], "20.00", "F001-77"),
                               headers={"Idempotency-Key": f"r-{uuid.uuid4()}"})  # fmt: skip
    assert reused.status_code == 201, reused.text  # a reversed redemption is no longer paid


async def test_racing_redemptions_with_one_receipt_pay_exactly_one(
    vouchers: RunningService,
) -> None:
    provider = await _provider(vouchers)
    clinic = _clinic(vouchers, provider)
    codes = [(await _issue(vouchers, provider))["code"] for _ in range(8)]
    answers = await asyncio.gather(*(
        clinic.post("/redemptions", json=_redeem(code, "10.00", "F002-1"),
                    headers={"Idempotency-Key": f"race-{uuid.uuid4()}"})
        for code in codes
    ))  # fmt: skip
    assert sorted(a.status_code for a in answers) == [201] + [409] * 7, [a.text for a in answers]
    assert {a.json()["detail"]["rule"] for a in answers if a.status_code == 409} == {
        "receipt_already_used"
    }


async def test_a_voucher_with_nothing_left_reads_redeemed(vouchers: RunningService) -> None:
    provider = await _provider(vouchers)
    clinic = _clinic(vouchers, provider)
    caseworker = vouchers.client("caseworker", regions=["lima_callao"])
    partial = await _issue(vouchers, provider, amount="100.00", allows_partial=True)

    async def status() -> str:
        read = await caseworker.get(f"/vouchers/{partial['voucher_id']}")
        assert read.status_code == 200, read.text
        return str(read.json()["status"])

    redeemed = []
    for amount in ("40.00", "60.00"):
        answer = await clinic.post(
            "/redemptions", json=_redeem(partial["code"], amount, f"P-{amount}"),
            headers={"Idempotency-Key": f"p-{uuid.uuid4()}"},
        )  # fmt: skip
        assert answer.status_code == 201, answer.text
        redeemed.append(answer.json()["redemption_id"])
        assert await status() == ("active" if amount == "40.00" else "redeemed")
    looked_up = await clinic.post("/lookup", json={"code": partial["code"]})
    assert looked_up.json()["status"] == "redeemed"

    await _reverse(vouchers, partial["voucher_id"], redeemed[1])
    assert await status() == "active"  # 60.00 can be redeemed again

    single = await _issue(vouchers, provider)
    answer = await clinic.post("/redemptions", json=_redeem(single["code"], "10.00", "S-1"),
                               headers={"Idempotency-Key": f"s-{uuid.uuid4()}"})  # fmt: skip
    assert answer.status_code == 201
    read = await caseworker.get(f"/vouchers/{single['voucher_id']}")
    assert read.json()["status"] == "redeemed"  # single use: 190.00 left, none redeemable


async def test_reconciliation_to_a_date_includes_that_whole_day_in_the_program_s_zone(
    vouchers: RunningService,
) -> None:
    provider = await _provider(vouchers)
    clinic = _clinic(vouchers, provider)
    voucher = await _issue(vouchers, provider)
    answer = await clinic.post("/redemptions", json=_redeem(voucher["code"], "33.00", "D-1"),
                               headers={"Idempotency-Key": f"d-{uuid.uuid4()}"})  # fmt: skip
    assert answer.status_code == 201
    today = datetime.now(ZoneInfo("America/Lima")).date().isoformat()

    statement = await clinic.get(f"/reconciliation/{provider}", params={"from": today, "to": today})
    assert statement.status_code == 200, statement.text
    assert statement.json()["total_pen"] == "33.00"  # "to" = today includes today

    wrong = await clinic.get(f"/reconciliation/{provider}", params={"from": today, "to": "soon"})
    assert wrong.status_code == 422
    assert "'to' must be a date" in wrong.text


async def test_lookup_and_redeem_say_the_same_of_a_voucher_the_clinic_may_not_use(
    vouchers: RunningService,
) -> None:
    tumbes = _clinic(vouchers, await _provider(vouchers, region="tumbes"))
    voucher = await _issue(vouchers, None)  # valid at any provider in Lima y Callao
    looked_up = await tumbes.post("/lookup", json={"code": voucher["code"]})
    redeemed = await tumbes.post("/redemptions", json=_redeem(voucher["code"], "10.00", "T-1"),
                                 headers={"Idempotency-Key": f"t-{uuid.uuid4()}"})  # fmt: skip
    assert looked_up.status_code == redeemed.status_code == 404
    assert looked_up.json()["detail"] == redeemed.json()["detail"]
    assert "lima" not in redeemed.text  # nothing about where the voucher is valid
