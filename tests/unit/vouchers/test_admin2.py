"""A voucher's optional admin2 (its province): carried into the issue and repeated on every
redemption (what the 5W counts), refused with a 422 naming the rule or the field when the program
does not list it inside the voucher's region, and absent when not given."""

from __future__ import annotations

import dataclasses

from contracts.vouchers import VoucherIssued, VoucherRedeemed
from eventkit.http import REFUSAL_STATUS
from services.vouchers import issue, redeem
from services.vouchers.requests import IssueRequest
from tests.support.admin2 import refuses_an_unknown_province
from tests.support.deciders import then_only, then_refused, when
from tests.unit.vouchers.givens import given, issue_cmd, redeem_cmd


def _issue(admin2: str | None) -> issue.IssueVoucher:
    return dataclasses.replace(issue_cmd("100.00"), admin2=admin2)  # in Lima y Callao


def test_a_province_inside_the_region_is_issued_and_repeated_on_each_redemption() -> None:
    event = then_only(when(issue.decide, _issue("callao_callao"), given()), VoucherIssued,
                      admin2="callao_callao")  # fmt: skip
    then_only(when(redeem.decide, redeem_cmd("40.00"), given(event)), VoucherRedeemed,
              admin2="callao_callao")  # fmt: skip
    plain = then_only(when(issue.decide, _issue(None), given()), VoucherIssued, admin2=None)
    then_only(when(redeem.decide, redeem_cmd("40.00"), given(plain)), VoucherRedeemed, admin2=None)


def test_a_province_of_another_region_or_none_of_the_program_is_refused() -> None:
    elsewhere = then_refused(when(issue.decide, _issue("piura_paita"), given()),
                             "admin2_outside_region")  # fmt: skip
    then_refused(when(issue.decide, _issue("atlantis"), given()), "admin2_unknown")
    assert REFUSAL_STATUS[elsewhere.kind] == 422


def test_the_api_refuses_an_unknown_code_naming_the_field() -> None:
    refuses_an_unknown_province(IssueRequest)
