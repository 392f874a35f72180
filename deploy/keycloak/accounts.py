"""Tie the realm's clinic and receiving-unit accounts to directory entries, as an administrator
of the identity provider would: the `provider_id` / `unit_id` user attributes.

Directory ids are made by the services when an entry is added, so the realm file cannot know
them; after the directory is loaded, the stack (and the test harness) sets them through
Keycloak's admin REST API, signed in as the bootstrap administrator of the master realm.
"""

from __future__ import annotations

import httpx

from deploy.keycloak.server import REALM, KeycloakServer

CLINIC_ACCOUNT = "clinica.lima"
UNIT_ACCOUNT = "cem.lima"
PASSWORD = "pana-demo"  # noqa: S105 (fictional accounts of the local and test realms)
"""Every fictional account's password in `local-accounts.json` (local and test realms only)."""

ACCOUNTS = {
    "caseworker": "gestora.lima",
    "supervisor": "supervisora.lima",
    "clinic": CLINIC_ACCOUNT,
    "receiving_service": UNIT_ACCOUNT,
    "me_officer": "mye.oficial",
    "viewer": "donante.lectura",
    "administrator": "admin.pana",
}


def admin_token(server: KeycloakServer) -> str:
    """An access token of the master realm's bootstrap administrator."""
    answer = httpx.post(
        f"{server.url}/realms/master/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": "admin",
            "password": server.admin_password(),
        },
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def set_attribute(server: KeycloakServer, username: str, name: str, value: str) -> None:
    """Set one attribute of `username` in the `pana` realm (keeping its others)."""
    headers = {"Authorization": f"Bearer {admin_token(server)}"}
    users_url = f"{server.url}/admin/realms/{REALM}/users"
    with httpx.Client(headers=headers, timeout=30) as client:
        found = client.get(users_url, params={"username": username, "exact": "true"})
        found.raise_for_status()
        user = found.json()[0]
        user["attributes"] = {**(user.get("attributes") or {}), name: [value]}
        client.put(f"{users_url}/{user['id']}", json=user).raise_for_status()


def link_directory(server: KeycloakServer, provider_id: str | None, unit_id: str | None) -> None:
    """Make the clinic account act as `provider_id` and the CEM account as `unit_id`."""
    if provider_id:
        set_attribute(server, CLINIC_ACCOUNT, "provider_id", provider_id)
    if unit_id:
        set_attribute(server, UNIT_ACCOUNT, "unit_id", unit_id)
