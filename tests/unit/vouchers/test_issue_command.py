"""Issuing through the service layer: reach, budget, events, views and audit in one command."""

from __future__ import annotations

from decimal import Decimal

import pytest

from eventkit.decider import RefusalKind, Refused
from tests.unit.vouchers.fakes import CODE, World, issued
from tests.unit.vouchers.givens import VOUCHER


async def test_an_issued_voucher_is_stored_kept_in_the_views_and_audited() -> None:
    world = World()
    done = await issued(world, "300.00")
    assert (done.voucher_id, done.version, done.code) == (VOUCHER, 1, CODE)
    assert done.requires_approval is False
    assert done.position == str(world.store.events()[0].event_id)
    assert world.event_types() == ["voucher.issued"]
    assert world.codes == {CODE: VOUCHER}
    assert world.actions() == ["voucher.issue"]


async def test_above_the_cap_the_voucher_awaits_approval() -> None:
    assert (await issued(World(), "300.01")).requires_approval is True


async def test_beyond_the_budget_nothing_is_issued() -> None:
    world = World(budget_left=Decimal("250.00"))
    await issued(world, "200.00")
    with pytest.raises(Refused) as refused:
        await issued(world, "100.00")
    assert (refused.value.rule, refused.value.kind) == ("budget_exceeded", RefusalKind.CONFLICT)
    assert world.event_types() == ["voucher.issued"]
    assert world.actions() == ["voucher.issue"]


async def test_a_participant_out_of_reach_gets_no_voucher() -> None:
    world = World(out_of_reach=True)
    with pytest.raises(Refused) as refused:
        await issued(world)
    assert refused.value.kind is RefusalKind.NOT_FOUND
    assert world.event_types() == [] and world.audit == [] and world.codes == {}
