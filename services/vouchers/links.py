"""What a client does next with the vouchers API's answers (OpenAPI links,
`eventkit.openapi_links`): issue a voucher, then read, approve, look up or redeem it by its code;
add a provider, then reconcile what it is owed."""

from __future__ import annotations

from eventkit.openapi_links import Link

VOUCHER = {"voucher_id": "$response.body#/voucher_id"}
CODE = {"code": "$response.body#/code"}
ISSUE = ("POST", "/vouchers")

LINKS = (
    Link("ReadVoucher", ISSUE, ("GET", "/vouchers/{voucher_id}"), VOUCHER),
    Link("ApproveVoucher", ISSUE, ("POST", "/vouchers/{voucher_id}/approve"), VOUCHER),
    Link("CancelVoucher", ISSUE, ("POST", "/vouchers/{voucher_id}/cancel"), VOUCHER),
    Link("LookUpVoucher", ISSUE, ("POST", "/lookup"), body=CODE),
    Link("RedeemVoucher", ISSUE, ("POST", "/redemptions"), body=CODE),
    Link(
        "Reconcile",
        ("POST", "/providers"),
        ("GET", "/reconciliation/{provider_id}"),
        {"provider_id": "$response.body#/provider_id"},
    ),
)
