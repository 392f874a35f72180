"""The local realm's fictional accounts: tied to the sample directory, and printed by `make up`.

The clinic account acts for the sample's Lima Norte polyclinic and the CEM account for the
sample's CEM in Lima (`deploy/keycloak/accounts.py` sets their `provider_id` / `unit_id`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import httpx

from access.signing import issue_token, load_key
from deploy.keycloak.accounts import ACCOUNTS, PASSWORD, link_directory
from deploy.keycloak.server import KeycloakServer


class LocalStack(Protocol):
    """What of the local stack (deploy/local/stack.py) the accounts need; the stack imports this
    module, so it is named by shape here rather than imported."""

    @property
    def auth_dir(self) -> Path: ...

    @property
    def keycloak(self) -> KeycloakServer: ...

    @property
    def web_url(self) -> str: ...

    def url(self, service: str) -> str: ...


SAMPLE_CLINIC = "Policlínico Ficticio Lima Norte (muestra)"
SAMPLE_UNIT = "CEM Ficticio Lima (muestra)"


def link(stack: LocalStack) -> None:
    """Tie the clinic and CEM accounts to the sample entries, when the directory holds them."""
    token = issue_token(
        load_key(stack.auth_dir / "signing-key.pem"),
        {"sub": "local-stack", "org": "local", "role": "administrator"},
    )
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(headers=headers, timeout=10) as client:
        providers = client.get(f"{stack.url('vouchers')}/providers").json()
        units = client.get(f"{stack.url('referrals')}/units").json()
    provider = next((p["provider_id"] for p in providers if p["name"] == SAMPLE_CLINIC), None)
    unit = next((u["unit_id"] for u in units if u["name"] == SAMPLE_UNIT), None)
    link_directory(stack.keycloak, provider, unit)


def describe(stack: LocalStack) -> None:
    """Print where to sign in and as whom."""
    print(f"  web app     {stack.web_url}/   (sign in with an account below)")
    password_file = stack.keycloak.state_dir / "admin-password"
    print(f"  keycloak    {stack.keycloak.url}/admin   (user admin, password in {password_file})")
    print(f"Sign-in accounts (fictional; password {PASSWORD!r}):")
    for role, username in ACCOUNTS.items():
        print(f"  {role:<18} {username}")
