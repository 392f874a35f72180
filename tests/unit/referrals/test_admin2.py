"""A referral's optional admin2 (its province): carried into the request and repeated on its
completion (both counted by the 5W), refused with a 422 naming the rule or the field when the
program does not list it inside the referral's region, and absent when not given."""

from __future__ import annotations

from contracts.referrals import ReferralCompleted, ReferralOutcome, ReferralRequested
from eventkit.http import REFUSAL_STATUS
from services.referrals import accept, complete
from services.referrals.referral import Referral
from services.referrals.request_referral import decide as request
from services.referrals.requests import ReferralRequest
from tests.support.admin2 import refuses_an_unknown_province
from tests.support.deciders import then_only, then_refused, when
from tests.unit.referrals.givens import by_unit, referral, requesting


def test_a_province_inside_the_region_is_requested_and_repeated_on_completion() -> None:
    asked = then_only(when(request, requesting(admin2="tumbes_zarumilla"), Referral()),
                      ReferralRequested, admin2="tumbes_zarumilla")  # fmt: skip
    accepted = accept.decide(accept.Accept(by_unit()), referral(asked))
    done = complete.Complete(ReferralOutcome.ATTENDED, by_unit(2))
    then_only(when(complete.decide, done, referral(asked, *accepted)), ReferralCompleted,
              admin2="tumbes_zarumilla")  # fmt: skip
    then_only(when(request, requesting(), Referral()), ReferralRequested, admin2=None)


def test_a_province_of_another_region_or_none_of_the_program_is_refused() -> None:
    elsewhere = then_refused(when(request, requesting(admin2="lima_lima"), Referral()),
                             "admin2_outside_region")  # fmt: skip
    then_refused(when(request, requesting(admin2="atlantis"), Referral()), "admin2_unknown")
    assert REFUSAL_STATUS[elsewhere.kind] == 422


def test_the_api_refuses_an_unknown_code_naming_the_field() -> None:
    refuses_an_unknown_province(ReferralRequest)
