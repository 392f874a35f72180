"""The HTTP edge on a tiny app through TestClient: 401 with the reason, 403 with the reason, 200."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from access.fastapi import CurrentPrincipal, authorize, use_verifier
from access.jwks import JwksUrl
from access.policy import ResourceScope
from access.principal import Principal, Region, Role
from access.tokens import TokenVerifier
from tests.unit.access.issuer import AUDIENCE, ISSUER, Issue

VOUCHER_PROVIDERS = {"v-1": "prov-1", "v-2": "prov-2"}


def tiny_app(verifier: TokenVerifier) -> FastAPI:
    app = FastAPI()
    use_verifier(app, verifier)

    @app.get("/me")
    def me(principal: CurrentPrincipal) -> dict[str, str]:
        return {"subject": principal.subject, "role": principal.role}

    @app.get("/regions/{region}/cases")
    def cases(region: str, principal: CurrentPrincipal) -> dict[str, str | None]:
        where = ResourceScope(region=Region(region))
        decision = authorize(principal, "case.read_sensitive", where)
        return {"reason": decision.reason, "grant": decision.grant_id}

    @app.post("/vouchers/{voucher_id}/redemption")
    def redeem(voucher_id: str, principal: CurrentPrincipal) -> dict[str, str]:
        # The dictionary stands for a database lookup of the voucher's provider.
        where = ResourceScope(provider_id=VOUCHER_PROVIDERS[voucher_id])
        authorize(principal, "voucher.redeem", where)
        return {"voucher": voucher_id, "by": principal.subject}

    @app.get("/indicators")
    def indicators(principal: CurrentPrincipal) -> dict[str, int]:
        authorize(principal, "indicators.read", ResourceScope())
        return {"OE2.2": 1}

    return app


@pytest.fixture
def client(verifier: TokenVerifier) -> Iterator[TestClient]:
    with TestClient(tiny_app(verifier)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_valid_token_reaches_the_route(client: TestClient, issue: Issue) -> None:
    answer = client.get("/me", headers=bearer(issue()))
    assert answer.status_code == 200
    assert answer.json() == {"subject": "user-17", "role": "caseworker"}


def test_no_token_is_a_bare_challenge(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        answer = client.get("/me", headers=headers)
        assert answer.status_code == 401
        assert answer.json() == {"detail": "no bearer token"}
        assert answer.headers["WWW-Authenticate"] == 'Bearer realm="pana"'


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": datetime.now(UTC) - timedelta(hours=1)}, "the token has expired"),
        ({"nbf": datetime.now(UTC) + timedelta(hours=1)}, "the token is not valid yet"),
        ({"iss": "https://other"}, "the token was not issued by the expected issuer"),
        ({"aud": "other"}, "the token is not meant for this audience"),
        ({"role": "clinic"}, "a clinic principal needs a provider_id"),
    ],
)
def test_refused_tokens_are_401_with_the_reason(
    client: TestClient, issue: Issue, claims: dict[str, object], reason: str
) -> None:
    answer = client.get("/me", headers=bearer(issue(**claims)))
    assert answer.status_code == 401
    assert answer.json() == {"detail": reason}
    assert answer.headers["WWW-Authenticate"] == (
        f'Bearer error="invalid_token", error_description="{reason}"'
    )


def test_a_garbled_token_is_401(client: TestClient) -> None:
    answer = client.get("/me", headers=bearer("abc.def"))
    assert answer.status_code == 401
    assert answer.json() == {"detail": "the token is not a well-formed JWT"}


def test_in_scope_is_200_and_out_of_scope_is_403_with_the_reason(
    client: TestClient, issue: Issue
) -> None:
    token = issue()
    assert client.get("/regions/lima_callao/cases", headers=bearer(token)).status_code == 200
    denied = client.get("/regions/tumbes/cases", headers=bearer(token))
    assert denied.status_code == 403
    assert denied.json() == {"detail": "region tumbes is outside the principal's regions"}
    assert denied.headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope"'


def test_a_role_without_the_right_is_403(client: TestClient, issue: Issue) -> None:
    viewer = issue(role="viewer", regions=[])
    assert client.get("/indicators", headers=bearer(viewer)).status_code == 200
    denied = client.get("/regions/lima_callao/cases", headers=bearer(viewer))
    assert (denied.status_code, denied.json()["detail"]) == (
        403,
        "role viewer may not case.read_sensitive",
    )


def test_an_async_scope_lookup_decides_the_clinic_case(client: TestClient, issue: Issue) -> None:
    clinic = issue(role="clinic", regions=[], provider_id="prov-1")
    assert client.post("/vouchers/v-1/redemption", headers=bearer(clinic)).status_code == 200
    other = client.post("/vouchers/v-2/redemption", headers=bearer(clinic))
    assert (other.status_code, other.json()["detail"]) == (
        403,
        "the resource belongs to another provider",
    )


def test_a_forged_break_glass_claim_opens_nothing(client: TestClient, issue: Issue) -> None:
    """Issue 20: the claim a supervisor's token carries grants nothing (grants live in the
    service's database, `access.grants`, tested against PostgreSQL)."""
    grant = {"id": "g-9", "region": "tumbes", "exp": int(datetime.now(UTC).timestamp()) + 1800}
    token = issue(role="supervisor", break_glass=[grant])
    answer = client.get("/regions/tumbes/cases", headers=bearer(token))
    assert answer.status_code == 403
    assert answer.json()["detail"] == "region tumbes is outside the principal's regions"


def test_unreachable_issuer_keys_are_503_not_401(issue: Issue) -> None:
    verifier = TokenVerifier(JwksUrl("http://127.0.0.1:9/jwks.json"), ISSUER, AUDIENCE)
    with TestClient(tiny_app(verifier)) as client:
        answer = client.get("/me", headers=bearer(issue()))
    assert answer.status_code == 503


def test_authorize_refuses_an_action_missing_from_the_policy() -> None:
    principal = Principal("user-17", "ngo-pe", Role.ADMINISTRATOR, frozenset())
    with pytest.raises(ValueError, match=r"not in access\.policy\.POLICY"):
        authorize(principal, "case.teleport", ResourceScope())


def test_hostile_headers_and_dates_are_401_with_the_reason(
    client: TestClient, issue: Issue
) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"ES256","kid":123}').rstrip(b"=").decode()
    odd_kid = client.get("/me", headers=bearer(f"{header}.e30.c2ln"))
    far_exp = client.get("/me", headers=bearer(issue(exp=1e308)))
    huge_exp = client.get("/me", headers=bearer(issue(exp=10**400)))
    assert [(a.status_code, a.json()["detail"]) for a in (odd_kid, far_exp, huge_exp)] == [
        (401, "the token names no signing key (kid)"),
        (401, "the token's 'exp' claim is not a time between 1970 and 9999 in epoch seconds"),
        (401, "the token's 'exp' claim is not a time between 1970 and 9999 in epoch seconds"),
    ]
