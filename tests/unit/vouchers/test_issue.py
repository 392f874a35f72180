"""Issuing a voucher: given events, when issue, then the voucher or a refusal (pure, no I/O)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.event import Event
from services.vouchers import issue
from services.vouchers.issue import IssueVoucher
from services.vouchers.voucher import Status
from tests.support.deciders import then_refused, when
from tests.unit.vouchers.givens import NOW, given, issue_cmd, issued


def test_within_the_cap_a_voucher_is_active_at_once() -> None:
    [event] = issue.decide(issue_cmd("300.00"), given())
    assert not event.requires_approval
    assert given(event).status is Status.ACTIVE


def test_above_the_cap_a_voucher_awaits_approval() -> None:
    [event] = issue.decide(issue_cmd("300.01"), given())
    assert event.requires_approval
    assert given(event).status is Status.AWAITING_APPROVAL


@pytest.mark.parametrize(
    ("command", "history", "rule"),
    [
        (issue_cmd("10.00"), (issued(),), "already_issued"),
        (issue_cmd("10.00", valid_until=NOW - timedelta(seconds=1)), (), "valid_until_in_past"),
    ],
)
def test_issue_refusals(command: IssueVoucher, history: tuple[Event, ...], rule: str) -> None:
    then_refused(when(issue.decide, command, given(*history)), rule)
