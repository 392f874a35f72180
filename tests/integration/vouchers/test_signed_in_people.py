"""People signed in at the OpenID provider (a real Keycloak with the program's realm) call the
services with their own access token: their realm role, region and provider become the same
principal an API token describes, and API tokens keep working beside them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from deploy.keycloak.accounts import ACCOUNTS, link_directory
from deploy.keycloak.server import KeycloakServer
from services.vouchers.app import VouchersSettings, create_app
from tests.support.infrastructure import KafkaEndpoint
from tests.support.keycloak import sign_in
from tests.support.services import Keys, RunningService, serve

pytestmark = pytest.mark.integration


@pytest.fixture
async def vouchers(
    keycloak: KeycloakServer,
    database: str,
    kafka: KafkaEndpoint,
    keys: Keys,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[RunningService]:
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
    monkeypatch.setenv("PANA_OIDC_ISSUER", keycloak.issuer)
    monkeypatch.setenv("PANA_OIDC_JWKS_URL", keycloak.jwks_url)
    settings = VouchersSettings(
        database_url=database,
        **kafka.settings("vouchers"),
        roster_consumer=f"vouchers.roster.{uuid.uuid4().hex[:8]}",
    )
    async with serve(lambda: create_app(settings), keys) as running:
        yield running


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_signed_in_people_act_as_their_realm_role(
    vouchers: RunningService, keycloak: KeycloakServer
) -> None:
    admin = vouchers.client("administrator")  # an API token, as before
    added = await admin.post(
        "/providers",
        json={"name": "Farmacia Prueba", "region": "lima_callao", "kind": "pharmacy",
              "services": ["medicines"]},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    provider_id = added.json()["provider_id"]
    link_directory(keycloak, provider_id, None)
    async with httpx.AsyncClient(base_url=vouchers.url, timeout=30) as client:
        caseworker = sign_in(keycloak, ACCOUNTS["caseworker"])
        listed = await client.get("/providers", headers=_as(caseworker))
        assert listed.status_code == 200
        assert provider_id in {p["provider_id"] for p in listed.json()}
        donor = sign_in(keycloak, ACCOUNTS["viewer"])
        assert (await client.get("/providers", headers=_as(donor))).status_code == 403
        clinic = sign_in(keycloak, ACCOUNTS["clinic"])
        lookup = await client.post("/lookup", json={"code": "PANA-0000-0000"}, headers=_as(clinic))
        assert lookup.status_code in (404, 422), lookup.text  # acts as the clinic, not refused
        forged = caseworker[:-4] + ("AAAA" if not caseworker.endswith("AAAA") else "BBBB")
        assert (await client.get("/providers", headers=_as(forged))).status_code == 401
