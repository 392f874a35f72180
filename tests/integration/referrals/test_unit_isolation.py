"""Two receiving units over real HTTP: neither lists, reads or answers the other's referrals,
and a caseworker of another region sees none of them."""

from __future__ import annotations

import pytest

from tests.integration.referrals.flows import add_unit, refer
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_each_unit_sees_and_answers_only_its_own_referrals(
    referrals: RunningService,
) -> None:
    cem = await add_unit(referrals, "CEM Tumbes")
    sis = await add_unit(referrals, "UDR SIS Tumbes", destination="SIS")
    to_cem = await refer(referrals, cem)
    to_sis = await refer(
        referrals, sis, reason="health_insurance_affiliation",
        assistance_type="health_insurance", shared={"document_type": "ptp",
                                                    "document_number": "PTP-123456"},
    )  # fmt: skip
    as_cem = referrals.client("receiving_service", org="cem", unit_id=cem)
    as_sis = referrals.client("receiving_service", org="sis", unit_id=sis)

    listed = await as_cem.get(f"/units/{cem}/referrals")
    assert listed.status_code == 200
    assert [r["referral_id"] for r in listed.json()] == [to_cem["referral_id"]]
    listed = await as_sis.get(f"/units/{sis}/referrals")
    assert [r["referral_id"] for r in listed.json()] == [to_sis["referral_id"]]

    # Another unit's inbox: refused by the policy.
    assert (await as_cem.get(f"/units/{sis}/referrals")).status_code == 403
    assert (await as_cem.get(f"/units/{sis}/referrals/{to_sis['referral_id']}")).status_code == 403
    assert (await as_sis.get(f"/units/{cem}/referrals")).status_code == 403
    # Another unit's referral under one's own unit: not found, nothing revealed.
    own_path = f"/units/{cem}/referrals/{to_sis['referral_id']}"
    assert (await as_cem.get(own_path)).status_code == 404
    for verb, body in (("accept", None), ("reject", {"reason": "out_of_scope"}),
                       ("complete", {"outcome": "attended"})):  # fmt: skip
        assert (await as_cem.post(f"{own_path}/{verb}", json=body)).status_code == 404
        theirs = f"/units/{sis}/referrals/{to_sis['referral_id']}/{verb}"
        assert (await as_cem.post(theirs, json=body)).status_code == 403
    # Team routes are not for units.
    assert (await as_cem.get(f"/referrals/{to_sis['referral_id']}")).status_code == 403

    untouched = await as_sis.get(f"/units/{sis}/referrals/{to_sis['referral_id']}")
    assert untouched.json()["status"] == "requested"
    accepted = await as_sis.post(f"/units/{sis}/referrals/{to_sis['referral_id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"


async def test_a_caseworker_of_another_region_cannot_see_them(referrals: RunningService) -> None:
    cem = await add_unit(referrals, "CEM Tumbes")
    referral = await refer(referrals, cem)
    tumbes = referrals.client("caseworker", regions=["tumbes"])
    piura = referrals.client("caseworker", regions=["piura"])

    assert (await tumbes.get(f"/referrals/{referral['referral_id']}")).status_code == 200
    listed = await tumbes.get("/referrals", params={"region": "tumbes"})
    assert [r["referral_id"] for r in listed.json()] == [referral["referral_id"]]

    assert (await piura.get(f"/referrals/{referral['referral_id']}")).status_code == 403
    assert (await piura.get("/referrals", params={"region": "tumbes"})).status_code == 403
    assert (await piura.get("/referrals/overdue", params={"region": "tumbes"})).status_code == 403
    own = await piura.get("/referrals", params={"region": "piura"})
    assert own.status_code == 200
    assert own.json() == []
    assert (await piura.get(f"/units/{cem}/referrals")).status_code == 403
    cancel = await piura.post(
        f"/referrals/{referral['referral_id']}/cancel", json={"reason": "requested_in_error"}
    )
    assert cancel.status_code == 403
