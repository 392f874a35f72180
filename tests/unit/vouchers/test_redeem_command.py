"""Redeeming through the service layer: the directory, the receipts, the rules, the views."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from eventkit.decider import RefusalKind, Refused
from services.vouchers import commands
from tests.unit.vouchers.fakes import CODE, World, issued, redeem_body, redeemed
from tests.unit.vouchers.givens import CLINIC, LIMA, NOW, OTHER_CLINIC, VOUCHER


async def _refused(world: World, amount: str, *, provider: uuid.UUID = CLINIC,
                   code: str = CODE, receipt: str = "B001-1") -> Refused:  # fmt: skip
    with pytest.raises(Refused) as refused:
        body = redeem_body(amount, receipt)
        await commands.redeem(world.ports(), body, code, provider, uuid.uuid4(), NOW)
    return refused.value


async def test_partial_redemptions_say_what_remains_until_nothing_does() -> None:
    world = World()
    await issued(world, "200.00", partial=True)
    first = await redeemed(world, "80.00", "B001-1")
    assert (first.voucher_id, first.version, first.remaining) == (VOUCHER, 2, Decimal("120.00"))
    assert first.region == "lima_callao" and first.amount == Decimal("80.00")
    second = await redeemed(world, "120.00", "B001-2")
    assert second.remaining == Decimal("0.00")
    assert world.event_types() == ["voucher.issued", "voucher.redeemed", "voucher.redeemed"]
    assert world.actions() == ["voucher.issue", "voucher.redeem", "voucher.redeem"]
    assert world.audit[-1].actor_subject == str(CLINIC)
    assert (await _refused(world, "0.01", receipt="B001-3")).rule == "fully_redeemed"


async def test_a_redemption_exceeding_what_remains_appends_nothing() -> None:
    world = World()
    await issued(world, "200.00", partial=True)
    await redeemed(world, "150.00", "B001-1")
    refusal = await _refused(world, "50.01", receipt="B001-2")
    assert (refusal.rule, refusal.kind) == ("exceeds_maximum", RefusalKind.INVALID)
    assert world.event_types() == ["voucher.issued", "voucher.redeemed"]


async def test_a_receipt_is_claimed_once_until_its_redemption_is_reversed() -> None:
    world = World()
    await issued(world, "200.00", partial=True)
    first = await redeemed(world, "10.00", "B001-7")
    refusal = await _refused(world, "10.00", receipt="B001-7")
    assert (refusal.rule, refusal.kind) == ("receipt_already_used", RefusalKind.CONFLICT)
    assert str(first.redemption_id) in refusal.message
    world.reversed.add(first.redemption_id)
    assert (await redeemed(world, "10.00", "B001-7")).version == 3


async def test_a_receipt_raced_by_a_concurrent_redemption_is_refused_as_used() -> None:
    world = World(race_receipts=True)
    await issued(world)
    refusal = await _refused(world, "10.00")
    assert refusal.rule == "receipt_already_used"
    assert "at the same moment" in refusal.message


async def test_another_providers_voucher_is_answered_as_no_such_code() -> None:
    world = World()
    world.partners[OTHER_CLINIC] = "lima_callao"
    await issued(world)
    refusal = await _refused(world, "10.00", provider=OTHER_CLINIC)
    assert (refusal.rule, refusal.kind) == ("voucher_not_found", RefusalKind.NOT_FOUND)
    assert refusal.message == (await _refused(world, "10.00", code="ZZZZZZZZZZZ")).message
    assert world.event_types() == ["voucher.issued"]


async def test_a_clinic_that_is_not_an_active_partner_redeems_nothing() -> None:
    world = World()
    await issued(world)
    refusal = await _refused(world, "10.00", provider=uuid.uuid4())
    assert (refusal.rule, refusal.kind) == ("provider_not_active", RefusalKind.FORBIDDEN)
    assert world.event_types() == ["voucher.issued"]


async def test_the_clinics_view_says_why_it_cannot_redeem_and_hides_other_providers() -> None:
    world = World()
    world.partners[OTHER_CLINIC] = "lima_callao"
    await issued(world, "200.00")
    ports = world.ports()
    view = await commands.clinic_view(ports, CODE, CLINIC, LIMA, NOW)
    assert (view.voucher_id, view.redeemable, view.refusal) == (VOUCHER, True, None)
    later = await commands.clinic_view(ports, CODE, CLINIC, LIMA, NOW + timedelta(days=11))
    assert later.redeemable is False and (later.refusal or "").startswith("the voucher expired")
    with pytest.raises(Refused) as hidden:
        await commands.clinic_view(ports, CODE, OTHER_CLINIC, LIMA, NOW)
    assert hidden.value.rule == "voucher_not_found"
