"""What a client does next with the referrals API's answers (OpenAPI links,
`eventkit.openapi_links`): request a referral, then follow it, cancel it, or answer it as the
unit it was sent to (or on that unit's behalf); add a unit, then read its inbox."""

from __future__ import annotations

from eventkit.openapi_links import Link

REFERRAL = {"referral_id": "$response.body#/referral_id"}
AT_UNIT = {**REFERRAL, "unit_id": "$request.body#/unit_id"}
REQUEST = ("POST", "/referrals")
UNIT_REFERRAL = "/units/{unit_id}/referrals/{referral_id}"

LINKS = (
    Link("ReadReferral", REQUEST, ("GET", "/referrals/{referral_id}"), REFERRAL),
    Link("CancelReferral", REQUEST, ("POST", "/referrals/{referral_id}/cancel"), REFERRAL),
    Link("RecordAccept", REQUEST, ("POST", "/referrals/{referral_id}/accept"), REFERRAL),
    Link("UnitReads", REQUEST, ("GET", "/units/{unit_id}/referrals/{referral_id}"), AT_UNIT),
    Link(
        "UnitAccepts", REQUEST, ("POST", "/units/{unit_id}/referrals/{referral_id}/accept"), AT_UNIT
    ),
    Link(
        "UnitRejects", REQUEST, ("POST", "/units/{unit_id}/referrals/{referral_id}/reject"), AT_UNIT
    ),
    Link(
        "UnitInbox",
        ("POST", "/units"),
        ("GET", "/units/{unit_id}/referrals"),
        {"unit_id": "$response.body#/unit_id"},
    ),
)
