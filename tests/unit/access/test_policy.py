"""The policy matrix: every action by every role, on a resource in and out of the role's scope.

`EXPECTED` is written out by hand on purpose: changing `access.policy.POLICY` must break this
test until the expectation is changed too, in review.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from access.policy import POLICY, ResourceScope, decide
from access.principal import BreakGlassGrant, Principal, Role
from tests.support.peru import Region

# "-" denied everywhere; "any" allowed everywhere; "region", "provider", "unit": allowed only on
# the principal's own region, provider or receiving unit.
EXPECTED = """
action                     caseworker supervisor me_officer admin    clinic   receiving viewer
participant.register       region     region     -          -        -        -         -
participant.read_personal  region     region     -          -        -        -         -
participant.correct        region     region     -          -        -        -         -
participant.merge          region     region     -          -        -        -         -
participant.search         any        any        -          -        -        -         -
participant.erase          -          region     -          -        -        -         -
consent.record             region     region     -          -        -        -         -
case.open                  region     region     -          -        -        -         -
case.read_sensitive        region     region     -          -        -        -         -
case.update                region     region     -          -        -        -         -
case.list                  region     region     -          -        -        -         -
service.deliver            region     region     -          -        -        -         -
outreach.record            region     region     -          -        -        -         -
group_activity.record      region     region     -          -        -        -         -
livelihood.record          region     region     -          -        -        -         -
referral.request           region     region     -          -        -        -         -
referral.read              region     region     -          -        -        -         -
referral.cancel            region     region     -          -        -        -         -
referral.record_answer     region     region     -          -        -        -         -
referral.list_own          -          -          -          -        -        unit      -
referral.answer            -          -          -          -        -        unit      -
voucher.issue              region     region     -          -        -        -         -
voucher.approve            -          region     -          -        -        -         -
voucher.read               region     region     -          -        provider -         -
voucher.redeem             -          -          -          -        provider -         -
voucher.record_redemption  -          region     -          -        -        -         -
voucher.reverse            -          -          -          any      -        -         -
voucher.reconcile          -          region     any        any      provider -         -
voucher.fraud_signals      -          any        any        any      -        -         -
directory.manage           -          -          -          any      -        -         -
directory.read_providers   any        any        any        any      -        -         -
directory.read_units       any        any        -          any      -        -         -
indicators.read            -          any        any        any      -        -         any
indicators.read_exact      -          -          any        any      -        -         -
audit.verify               -          -          any        any      -        -         -
break_glass.review         -          any        -          any      -        -         -
audit.query                -          region     -          any      -        -         -
entry.late                 -          any        -          any      -        -         -
import.run                 -          region     -          -        -        -         -
field_forms.download       any        any        -          -        -        -         -
field_submission.pull      -          any        -          any      -        -         -
field_submission.review    -          region     -          -        -        -         -
"""
COLUMNS = {"admin": Role.ADMINISTRATOR, "receiving": Role.RECEIVING_SERVICE}

_header, *_rows = (line.split() for line in EXPECTED.strip().splitlines())
ROLES = [COLUMNS.get(name) or Role(name) for name in _header[1:]]
MATRIX = {row[0]: dict(zip(ROLES, row[1:], strict=True)) for row in _rows}

NOW = datetime(2022, 6, 1, 12, tzinfo=UTC)
OWN = ResourceScope(region=Region.LIMA_CALLAO, provider_id="prov-1", unit_id="cem-1")
OUT_OF_SCOPE = {
    "region": replace(OWN, region=Region.PIURA),
    "provider": replace(OWN, provider_id="prov-2"),
    "unit": replace(OWN, unit_id="cem-2"),
}


def principal_for(role: Role) -> Principal:
    return Principal(
        subject=f"{role}-1",
        organization_id="org-1",
        role=role,
        regions=frozenset({Region.LIMA_CALLAO}),
        provider_id="prov-1",
        unit_id="cem-1",
    )


def test_the_matrix_names_every_action_and_role() -> None:
    assert list(MATRIX) == list(POLICY)
    assert set(ROLES) == set(Role)


CELLS = [(action, role, MATRIX[action][role]) for action in MATRIX for role in ROLES]


@pytest.mark.parametrize(
    ("action", "role", "expected"), CELLS, ids=[f"{a}-{r}" for a, r, _ in CELLS]
)
def test_matrix(action: str, role: Role, expected: str) -> None:
    principal = principal_for(role)
    inside = decide(principal, action, OWN, now=NOW)
    assert inside.allowed is (expected != "-"), inside.reason
    for name, outside in OUT_OF_SCOPE.items():
        decision = decide(principal, action, outside, now=NOW)
        allowed_outside = expected == "any" or (expected not in ("-", name))
        assert decision.allowed is allowed_outside, (name, decision.reason)


def test_reasons_say_why() -> None:
    caseworker, viewer = principal_for(Role.CASEWORKER), principal_for(Role.VIEWER)
    clinic = principal_for(Role.CLINIC)
    assert decide(viewer, "case.open", OWN, now=NOW).reason == "role viewer may not case.open"
    assert (
        decide(caseworker, "case.open", OUT_OF_SCOPE["region"], now=NOW).reason
        == "region piura is outside the principal's regions"
    )
    assert (
        decide(clinic, "voucher.redeem", OUT_OF_SCOPE["provider"], now=NOW).reason
        == "the resource belongs to another provider"
    )
    assert decide(caseworker, "case.fly", OWN, now=NOW).reason == "unknown action case.fly"


def test_a_resource_without_the_scoped_attribute_is_denied() -> None:
    decision = decide(principal_for(Role.CASEWORKER), "case.open", ResourceScope(), now=NOW)
    assert not decision.allowed
    assert decision.reason == "the resource names no region, so case.open cannot be scoped"
    clinic = decide(principal_for(Role.CLINIC), "voucher.redeem", ResourceScope(), now=NOW)
    assert not clinic.allowed


class TestBreakGlass:
    GRANT = BreakGlassGrant("grant-7", Region.PIURA, NOW + timedelta(hours=1))
    SUPERVISOR = principal_for(Role.SUPERVISOR).with_grant(GRANT)
    IN_PIURA = ResourceScope(region=Region.PIURA)

    def test_an_unexpired_grant_allows_the_region_and_says_so(self) -> None:
        decision = decide(self.SUPERVISOR, "case.read_sensitive", self.IN_PIURA, now=NOW)
        assert decision.allowed
        assert decision.grant_id == "grant-7"
        assert decision.reason == (
            "break-glass grant grant-7 allows region piura until 2022-06-01T13:00:00+00:00"
        )

    def test_the_grant_expires_by_itself(self) -> None:
        later = NOW + timedelta(hours=1)
        decision = decide(self.SUPERVISOR, "case.read_sensitive", self.IN_PIURA, now=later)
        assert not decision.allowed
        assert decision.reason == "break-glass grant grant-7 expired at 2022-06-01T13:00:00+00:00"

    def test_a_grant_reaches_only_its_region(self) -> None:
        tumbes = ResourceScope(region=Region.TUMBES)
        assert not decide(self.SUPERVISOR, "case.read_sensitive", tumbes, now=NOW).allowed

    def test_a_grant_gives_no_action_the_role_lacks(self) -> None:
        assert not decide(self.SUPERVISOR, "voucher.redeem", self.IN_PIURA, now=NOW).allowed

    def test_own_region_decisions_name_no_grant(self) -> None:
        decision = decide(self.SUPERVISOR, "case.open", OWN, now=NOW)
        assert decision.allowed
        assert decision.grant_id is None

    def test_without_now_a_grant_is_judged_at_the_request_s_time(self) -> None:
        """The HTTP edge stamps the principal with the app's clock (`as_of`): the policy reads
        no clock of its own, so a test's clock decides."""
        during = replace(self.SUPERVISOR, as_of=NOW)
        after = replace(self.SUPERVISOR, as_of=NOW + timedelta(hours=1))
        assert decide(during, "case.read_sensitive", self.IN_PIURA).grant_id == "grant-7"
        refused = decide(after, "case.read_sensitive", self.IN_PIURA)
        assert refused.reason == "break-glass grant grant-7 expired at 2022-06-01T13:00:00+00:00"

    def test_a_grant_with_no_time_to_judge_it_at_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="judged at a time"):
            decide(self.SUPERVISOR, "case.read_sensitive", self.IN_PIURA)
        assert decide(self.SUPERVISOR, "case.open", OWN).allowed  # own region: no time needed
