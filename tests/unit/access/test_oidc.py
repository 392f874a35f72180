"""Access tokens of the OpenID provider people sign in with, beside the platform's API tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from access.jwks import JwksFile, JwksUrl
from access.oidc import WithOpenIdProvider, principal_claims, with_openid_provider
from access.principal import InconsistentClaims, Principal, Role
from access.signing import issue_token, load_key, write_keys
from access.tokens import BadSignature, TokenVerifier
from tests.support.peru import Region
from tests.unit.access.issuer import Issue

PROVIDER = "http://127.0.0.1:8180/realms/pana"


@pytest.fixture
def provider_key(tmp_path: Path) -> tuple[Path, Path]:
    return write_keys(tmp_path / "provider", "RS256")


@pytest.fixture
def both(verifier: TokenVerifier, provider_key: tuple[Path, Path]) -> WithOpenIdProvider:
    provider = TokenVerifier(JwksFile(provider_key[1]), PROVIDER, "pana")
    return WithOpenIdProvider(verifier.keys, verifier.issuer, verifier.audience, provider=provider)


def _keycloak_token(key_path: Path, **claims: Any) -> str:
    base: dict[str, Any] = {
        "sub": "e862135f-12eb-498c-985f-610a3f8327a2",
        "org": "ngo",
        "regions": ["lima_callao"],
        "realm_access": {"roles": ["offline_access", "default-roles-pana", "caseworker"]},
    }
    return issue_token(load_key(key_path), base | claims, issuer=PROVIDER, audience="pana")


def test_a_provider_token_gives_the_principal_its_realm_role_names(
    both: WithOpenIdProvider, provider_key: tuple[Path, Path]
) -> None:
    principal = Principal.from_claims(both.verify(_keycloak_token(provider_key[0])))
    assert principal.role is Role.CASEWORKER
    assert principal.regions == frozenset({Region.LIMA_CALLAO})
    assert principal.organization_id == "ngo"


def test_api_tokens_keep_working_exactly_as_before(both: WithOpenIdProvider, issue: Issue) -> None:
    claims = both.verify(issue(role="me_officer", regions=[]))
    assert Principal.from_claims(claims).role is Role.ME_OFFICER


def test_a_token_claiming_the_provider_but_signed_by_another_key_is_refused(
    both: WithOpenIdProvider, tmp_path: Path
) -> None:
    stranger, _ = write_keys(tmp_path / "stranger")
    with pytest.raises(BadSignature):
        both.verify(_keycloak_token(stranger))


@pytest.mark.parametrize(
    "roles", [["default-roles-pana"], ["caseworker", "administrator"]], ids=["none", "two"]
)
def test_an_account_without_exactly_one_program_role_is_refused(roles: list[str]) -> None:
    with pytest.raises(InconsistentClaims):
        principal_claims({"realm_access": {"roles": roles}})


def test_the_provider_is_configured_from_the_environment(
    verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert with_openid_provider(verifier) is verifier  # nothing configured: unchanged
    monkeypatch.setenv("PANA_OIDC_ISSUER", PROVIDER)
    monkeypatch.setenv("PANA_OIDC_JWKS_URL", f"{PROVIDER}/protocol/openid-connect/certs")
    configured = with_openid_provider(verifier)
    assert isinstance(configured, WithOpenIdProvider) and configured.provider is not None
    assert isinstance(configured.provider.keys, JwksUrl)
    assert configured.provider.issuer == PROVIDER
