"""Redeeming through the command layer's load, decide, append (`execute`) on the in-memory event
store: what lands in the stream, and what a lost race, a pinned version or a refusal leave.

The memory store keeps the PostgreSQL store's contract (`tests/contract/event_store.py`), so
these run in milliseconds and still say what the service does with its events.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from contracts.vouchers import VoucherRedeemed
from eventkit.aggregate import History, execute, load_stream
from eventkit.decider import Refused
from eventkit.memory_store import MemoryEventStore
from eventkit.store import ConcurrencyConflict
from services.vouchers import expire, issue, redeem
from services.vouchers.expire import ExpireVoucher
from services.vouchers.issue import IssueVoucher
from services.vouchers.redeem import RedeemVoucher
from services.vouchers.voucher import Voucher, evolve
from tests.unit.vouchers.givens import NOW, OTHER_CLINIC, VOUCHER, issue_cmd, redeem_cmd

STREAM = str(VOUCHER)


async def _issued(store: MemoryEventStore, command: IssueVoucher) -> None:
    await execute(store, STREAM, evolve, Voucher(), lambda s: issue.decide(command, s), now=NOW)


async def _redeem(
    store: MemoryEventStore,
    command: RedeemVoucher,
    loaded: History | None = None,
    expected_version: int | None = None,
) -> Voucher:
    decided = await execute(
        store,
        STREAM,
        evolve,
        Voucher(),
        lambda s: redeem.decide(command, s),
        expected_version,
        loaded,
        now=NOW,
    )
    return decided.state


async def test_a_redemption_lands_after_the_issue_and_says_what_remains() -> None:
    store = MemoryEventStore()
    await _issued(store, replace(issue_cmd("200.00"), allows_partial=True))
    decided = await execute(
        store, STREAM, evolve, Voucher(), lambda s: redeem.decide(redeem_cmd("80.00"), s), now=NOW
    )
    assert decided.appended.version == 2
    assert decided.state.remaining == Decimal("120.00")
    assert decided.position == str(decided.appended.event_ids[-1])
    assert [(e.event_type, e.stream_version) for e in store.events()] == [
        ("voucher.issued", 1),
        ("voucher.redeemed", 2),
    ]
    assert store.events()[-1].data["amount"] == "80.00"


async def test_a_redemption_decided_on_a_stale_read_decides_again_and_gets_the_rules_answer() -> (
    None
):
    store = MemoryEventStore()
    await _issued(store, issue_cmd("200.00"))  # single use
    stale = await load_stream(store, STREAM)  # read before the other clinic's redemption
    await _redeem(store, redeem_cmd("50.00"))
    with pytest.raises(Refused) as refused:
        await _redeem(store, redeem_cmd("50.00"), loaded=stale)
    assert refused.value.rule == "already_redeemed"
    assert [e.event_type for e in store.events()] == ["voucher.issued", "voucher.redeemed"]


async def test_racing_partial_redemptions_never_exceed_the_maximum() -> None:
    store = MemoryEventStore()
    await _issued(store, replace(issue_cmd("100.00"), allows_partial=True))
    stale = await load_stream(store, STREAM)
    outcomes = await asyncio.gather(
        *(_redeem(store, redeem_cmd("40.00"), loaded=stale) for _ in range(3)),
        return_exceptions=True,
    )
    refusals = [o.rule for o in outcomes if isinstance(o, Refused)]
    assert refusals == ["exceeds_maximum"]
    history, version = await load_stream(store, STREAM)
    assert version == 3
    redeemed = [e.amount for e in history if isinstance(e, VoucherRedeemed)]
    assert redeemed == [Decimal("40.00"), Decimal("40.00")]


async def test_a_pinned_version_that_moved_is_a_conflict_and_appends_nothing() -> None:
    store = MemoryEventStore()
    await _issued(store, replace(issue_cmd("200.00"), allows_partial=True))
    await _redeem(store, redeem_cmd("10.00"))
    with pytest.raises(ConcurrencyConflict) as conflict:
        await _redeem(store, redeem_cmd("10.00"), expected_version=1)
    assert (conflict.value.expected, conflict.value.actual) == (1, 2)
    assert len(store.events()) == 2


async def test_a_refused_redemption_appends_nothing() -> None:
    store = MemoryEventStore()
    await _issued(store, issue_cmd("200.00"))
    with pytest.raises(Refused) as refused:
        await _redeem(store, redeem_cmd("10.00", provider=OTHER_CLINIC))
    assert refused.value.rule == "wrong_provider"
    assert [e.event_type for e in store.events()] == ["voucher.issued"]


async def test_a_redemption_rolled_back_with_its_transaction_leaves_the_voucher_redeemable() -> (
    None
):
    store = MemoryEventStore()
    await _issued(store, issue_cmd("200.00"))
    with pytest.raises(RuntimeError, match="receipt"):
        async with store.transaction() as streams:
            await execute(
                streams,
                STREAM,
                evolve,
                Voucher(),
                lambda s: redeem.decide(redeem_cmd("5"), s),
                now=NOW,
            )
            raise RuntimeError("the receipt's row failed after the append")  # e.g. a view
    assert (await _redeem(store, redeem_cmd("5.00"))).redemptions


async def test_expiry_repeated_by_the_worker_appends_once() -> None:
    store = MemoryEventStore()
    await _issued(store, issue_cmd("200.00"))
    later = NOW + timedelta(days=11)
    first = await execute(
        store, STREAM, evolve, Voucher(), lambda s: expire.decide(ExpireVoucher(later), s), now=NOW
    )
    again = await execute(
        store, STREAM, evolve, Voucher(), lambda s: expire.decide(ExpireVoucher(later), s), now=NOW
    )
    assert (first.appended.version, again.appended.version) == (2, 2)
    assert (len(first.events), len(again.events), again.position) == (1, 0, None)
    assert [e.event_type for e in store.events()] == ["voucher.issued", "voucher.expired"]


async def test_the_events_are_dated_by_the_command_s_clock() -> None:
    """The store reads no clock: an event's recorded time (the CloudEvents `time`) is the `now`
    its command ran at, so a test's clock dates the events it writes."""
    store = MemoryEventStore()
    later = NOW + timedelta(days=400)
    issuing = issue_cmd("200.00")
    await execute(store, STREAM, evolve, Voucher(), lambda s: issue.decide(issuing, s), now=later)
    assert [e.occurred_at for e in await store.load(STREAM)] == [later]
