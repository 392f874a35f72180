"""The whole system for the browser tests: the four services and the web app on the session's
real Kafka and PostgreSQL, the session's real Keycloak, and a fictional directory (one clinic,
one CEM) tied to the realm's clinic and CEM accounts."""

from __future__ import annotations

import base64
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page

from deploy.keycloak.accounts import PASSWORD, link_directory
from deploy.keycloak.server import KeycloakServer
from deploy.local.processes import free_port
from deploy.local.stack import create_databases
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.services import Keys, RunningService, make_keys, serve
from tests.support.writers import serve_indicators, serve_writers
from web.app import create_app as web_app
from web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("PANA_TEST_ARTIFACTS", ROOT / ".artifacts")) / "web"
"""Screenshots and timings of the browser tests (git-ignored: the suite leaves the tree clean)."""


@dataclass
class WebSystem:
    cases: RunningService
    referrals: RunningService
    vouchers: RunningService
    indicators: RunningService
    web: RunningService
    keycloak: KeycloakServer
    provider_id: str
    unit_id: str

    async def sign_in(self, page: Page, username: str, path: str = "/") -> None:
        """Sign in through Keycloak's own login page, as a person does."""
        await page.goto(f"{self.web.url}/login?next={path}")
        await page.fill("#username", username)
        await page.fill("#password", PASSWORD)
        await page.click("#kc-login")
        await page.wait_for_url(f"{self.web.url}/**")


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return make_keys(Path(tmp_path_factory.mktemp("auth")))


@pytest.fixture(scope="module")
async def system(
    postgres: PostgresEndpoint, kafka: KafkaEndpoint, keys: Keys, keycloak: KeycloakServer
) -> AsyncIterator[WebSystem]:
    names = [f"t_web_{uuid.uuid4().hex[:8]}" for _ in range(5)]  # the last: web sessions
    await create_databases(postgres.server_url, names)
    urls = [postgres.url(n) for n in names]
    tag = uuid.uuid4().hex[:8]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
        env.setenv("PANA_OIDC_ISSUER", keycloak.issuer)
        env.setenv("PANA_OIDC_JWKS_URL", keycloak.jwks_url)
        for key in ("MASTER_KEY", "BLIND_INDEX_KEY"):
            env.setenv(f"PANA_PERSONAL_DATA_{key}", base64.b64encode(os.urandom(32)).decode())
        async with contextlib.AsyncExitStack() as stack:
            cases, referrals, vouchers = await serve_writers(stack, kafka, keys, urls, f"web.{tag}")
            indicators = await serve_indicators(
                stack, kafka, keys, urls[3], f"indicators-web-{tag}"
            )
            provider_id, unit_id = await _directory(vouchers, referrals)
            link_directory(keycloak, provider_id, unit_id)
            port = free_port()  # known before the app: its sign-in redirect names it
            web = await stack.enter_async_context(serve(lambda: web_app(WebSettings(
                port=port, cases_url=cases.url, referrals_url=referrals.url,
                vouchers_url=vouchers.url, indicators_url=indicators.url,
                oidc_issuer=keycloak.issuer, database_url=urls[4],
                session_key=base64.b64encode(os.urandom(32)).decode(),
            )), keys, port=port))  # fmt: skip
            yield WebSystem(cases, referrals, vouchers, indicators, web, keycloak,
                            provider_id, unit_id)  # fmt: skip


async def _directory(vouchers: RunningService, referrals: RunningService) -> tuple[str, str]:
    """One fictional clinic and one CEM in Lima, added by an administrator."""
    async with httpx.AsyncClient(
        headers=vouchers.keys.headers("administrator"), timeout=30
    ) as admin:
        clinic = await admin.post(f"{vouchers.url}/providers", json={
            "name": "Policlínico Prueba Web (muestra)", "region": "lima_callao",
            "kind": "polyclinic", "services": ["consultation", "exams", "medicines"]})  # fmt: skip
        clinic.raise_for_status()
        unit = await admin.post(f"{referrals.url}/units", json={
            "name": "CEM Prueba Web (muestra)", "destination": "CEM", "region": "lima_callao",
            "handover_contact": {"office": "Admisión (muestra)", "phone": "01 000 0009",
                                 "email": "cem-web@example.org"},
            "has_system_account": True})  # fmt: skip
        unit.raise_for_status()
    return str(clinic.json()["provider_id"]), str(unit.json()["unit_id"])
