"""Approve, cancel, reverse and expire through the service layer: the version a client pinned
(`If-Match`), what lands in the stream, the views and the audit log."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from contracts.vouchers import ReversalReason, VoucherCancellationReason
from eventkit.decider import RefusalKind, Refused
from eventkit.store import ConcurrencyConflict
from services.vouchers import commands
from tests.unit.vouchers.fakes import CASEWORKER, SUPERVISOR, World, issued, redeemed
from tests.unit.vouchers.givens import CLINIC, NOW, VOUCHER

NO_LONGER_NEEDED = VoucherCancellationReason.NO_LONGER_NEEDED
BILLING_ERROR = ReversalReason.BILLING_ERROR


async def test_a_supervisor_approves_at_the_version_read() -> None:
    world = World()
    await issued(world, "900.00")
    done = await commands.approve(world.ports(), SUPERVISOR, VOUCHER, NOW, expected=1)
    assert (done.voucher_id, done.version) == (VOUCHER, 2)
    assert world.event_types() == ["voucher.issued", "voucher.approved"]
    assert world.recorded[-1] == ("voucher.approved", 2)
    assert world.actions() == ["voucher.issue", "voucher.approve"]


async def test_an_approval_pinned_to_a_stale_version_is_a_conflict_and_changes_nothing() -> None:
    world = World()
    await issued(world, "900.00")
    await commands.approve(world.ports(), SUPERVISOR, VOUCHER, NOW)
    with pytest.raises(ConcurrencyConflict) as conflict:
        await commands.cancel(world.ports(), CASEWORKER, VOUCHER, NO_LONGER_NEEDED, NOW, 1)
    assert (conflict.value.expected, conflict.value.actual) == (1, 2)
    assert world.event_types() == ["voucher.issued", "voucher.approved"]
    assert world.actions() == ["voucher.issue", "voucher.approve"]


async def test_a_voucher_not_awaiting_approval_is_refused_approval() -> None:
    world = World()
    await issued(world, "100.00")
    with pytest.raises(Refused) as refused:
        await commands.approve(world.ports(), SUPERVISOR, VOUCHER, NOW)
    assert (refused.value.rule, refused.value.kind) == (
        "not_awaiting_approval",
        RefusalKind.CONFLICT,
    )


async def test_cancelling_waits_for_redemptions_to_be_reversed() -> None:
    world = World()
    await issued(world, "200.00", partial=True)
    used = await redeemed(world, "50.00")
    with pytest.raises(Refused) as refused:
        await commands.cancel(world.ports(), CASEWORKER, VOUCHER, NO_LONGER_NEEDED, NOW)
    assert refused.value.rule == "has_redemptions"
    reversal = await commands.reverse(
        world.ports(), SUPERVISOR, VOUCHER, used.redemption_id, BILLING_ERROR, NOW, expected=2
    )
    assert reversal.version == 3
    assert used.redemption_id in world.reversed
    done = await commands.cancel(world.ports(), CASEWORKER, VOUCHER, NO_LONGER_NEEDED, NOW, 3)
    assert done.version == 4
    assert world.event_types()[-2:] == ["voucher.reversed", "voucher.cancelled"]
    assert world.actions()[-2:] == ["voucher.reverse", "voucher.cancel"]


async def test_a_reversal_names_the_redeeming_provider_and_frees_the_amount() -> None:
    world = World()
    await issued(world, "200.00", partial=True)
    used = await redeemed(world, "50.00")
    ports = world.ports()
    await commands.reverse(ports, SUPERVISOR, VOUCHER, used.redemption_id, BILLING_ERROR, NOW)
    reversed_ = world.store.events()[-1].data
    assert reversed_["provider_id"] == str(CLINIC)
    assert reversed_["amount"] == "50.00"
    assert (await redeemed(world, "200.00", "B001-2")).remaining == Decimal("0.00")


async def test_reversing_a_redemption_the_voucher_does_not_have_is_not_found() -> None:
    world = World()
    await issued(world)
    with pytest.raises(Refused) as refused:
        other = world.ports()
        await commands.reverse(other, SUPERVISOR, VOUCHER, VOUCHER, BILLING_ERROR, NOW)
    assert (refused.value.rule, refused.value.kind) == (
        "redemption_not_found",
        RefusalKind.NOT_FOUND,
    )
    assert world.event_types() == ["voucher.issued"]


async def test_expiry_expires_a_voucher_past_its_date_once_and_keeps_the_views() -> None:
    world = World()
    await issued(world)
    assert await commands.expire(world.ports(), VOUCHER, NOW) == 0
    later = NOW + timedelta(days=11)
    assert await commands.expire(world.ports(), VOUCHER, later) == 1
    assert await commands.expire(world.ports(), VOUCHER, later) == 0
    assert world.event_types() == ["voucher.issued", "voucher.expired"]
    assert world.recorded[-1] == ("voucher.expired", 2)
