"""A principal is built only from claims that make sense together."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from access.principal import BreakGlassGrant, InconsistentClaims, Principal, Role
from tests.support.peru import Region

BASE: dict[str, Any] = {"sub": "user-1", "org": "ngo-pe"}


def test_a_caseworker_with_regions() -> None:
    principal = Principal.from_claims(
        BASE | {"role": "caseworker", "regions": ["lima_callao", "tumbes"]}
    )
    assert principal == Principal(
        "user-1", "ngo-pe", Role.CASEWORKER, frozenset({Region.LIMA_CALLAO, Region.TUMBES})
    )


def test_a_clinic_and_a_receiving_service_carry_what_they_act_for() -> None:
    clinic = Principal.from_claims(BASE | {"role": "clinic", "provider_id": "prov-9"})
    unit = Principal.from_claims(BASE | {"role": "receiving_service", "unit_id": "cem-3"})
    assert (clinic.provider_id, unit.unit_id) == ("prov-9", "cem-3")


def test_a_break_glass_claim_grants_nothing() -> None:
    """Issue 20: grants exist only in the service's database; a token's claim is ignored."""
    claims = BASE | {
        "role": "supervisor",
        "regions": ["piura"],
        "break_glass": [{"id": "g-1", "region": "tumbes", "exp": 1_900_000_000}],
    }
    assert Principal.from_claims(claims).grants == ()
    for role in ("caseworker", "viewer"):  # not even a refusal to parse: ignored, for any role
        claims = BASE | {"role": role, "regions": ["piura"], "break_glass": "anything"}
        assert Principal.from_claims(claims).grants == ()


def test_a_grant_from_the_database_is_held_by_a_supervisor_only() -> None:
    grant = BreakGlassGrant("g-1", Region.TUMBES, datetime.fromtimestamp(1_900_000_000, UTC))
    supervisor = Principal.from_claims(BASE | {"role": "supervisor", "regions": ["piura"]})
    assert supervisor.with_grant(grant).grants == (grant,)
    caseworker = Principal.from_claims(BASE | {"role": "caseworker", "regions": ["piura"]})
    with pytest.raises(InconsistentClaims, match="only a supervisor can hold break-glass grants"):
        caseworker.with_grant(grant)


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"role": "clinic"}, "a clinic principal needs a provider_id"),
        ({"role": "receiving_service"}, "a receiving_service principal needs a unit_id"),
        ({"role": "caseworker"}, "a caseworker principal needs at least one region"),
        ({"role": "supervisor", "regions": []}, "a supervisor principal needs at least one region"),
        ({"role": "janitor"}, "unknown role"),
        ({}, "claim 'role' is missing"),
        ({"role": "caseworker", "regions": ["caracas"]}, "unknown region"),
        ({"role": "caseworker", "regions": "piura"}, "claim 'regions' must be a list"),
        ({"role": "viewer", "org": None}, "claim 'org' is missing"),
        ({"role": "viewer", "provider_id": 7}, "claim 'provider_id' must be a string"),
    ],
)
def test_inconsistent_claims_are_refused_with_a_reason(claims: dict[str, Any], reason: str) -> None:
    with pytest.raises(InconsistentClaims) as refused:
        Principal.from_claims(BASE | claims)
    assert refused.value.reason == reason


def test_the_unknown_value_is_not_echoed_in_the_reason() -> None:
    with pytest.raises(InconsistentClaims) as refused:
        Principal.from_claims(BASE | {"role": "caseworker", "regions": ["Calle Falsa 123"]})
    assert "Calle" not in refused.value.reason


def test_principals_are_immutable() -> None:
    principal = Principal("u", "o", Role.VIEWER)
    with pytest.raises(AttributeError):
        principal.role = Role.ADMINISTRATOR  # type: ignore[misc]


def test_with_grant_keeps_the_rules() -> None:
    grant = BreakGlassGrant("g", Region.PIURA, datetime(2030, 1, 1, tzinfo=UTC))
    viewer = Principal("u", "o", Role.VIEWER)
    with pytest.raises(InconsistentClaims):
        viewer.with_grant(grant)
    supervisor = Principal("u", "o", Role.SUPERVISOR, frozenset({Region.TUMBES}))
    assert supervisor.with_grant(grant).grants == (grant,)


@pytest.mark.parametrize("exp", [1e308, -1e308, 10**400, float("inf"), float("nan"), True])
def test_a_hostile_break_glass_claim_is_ignored_not_a_server_error(exp: object) -> None:
    grant = {"id": "g", "region": "tumbes", "exp": exp}
    principal = Principal.from_claims(
        BASE | {"role": "supervisor", "regions": ["piura"], "break_glass": [grant]}
    )
    assert principal.grants == ()  # the claim grants nothing, whatever it holds
