"""Compose and Kubernetes run each service as a database role that owns no table (issue 20):
the schema owner's URL is a separate setting, used for migrations at start only."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from deploy.k8s.render import OUT, SERVICES

ROOT = Path(__file__).resolve().parents[2]


def test_compose_services_connect_as_their_own_role_not_the_owner() -> None:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    superuser = compose["services"]["postgres"]["environment"]["POSTGRES_USER"]
    created = (ROOT / "deploy" / "compose" / "create-databases.sql").read_text()
    for name in SERVICES:
        env = compose["services"][name]["environment"]
        own = urlsplit(env["PANA_DATABASE_URL"]).username
        owner = urlsplit(env["PANA_DATABASE_OWNER_URL"]).username
        assert own == f"pana_{name}", name
        assert owner == "pana_owner" and own not in (owner, superuser), name
        assert f"CREATE DATABASE pana_{name} OWNER pana_owner;" in created
        assert f"CREATE ROLE pana_{name} LOGIN" in created


def test_kubernetes_services_take_the_owner_url_from_its_own_secret() -> None:
    docs = [d for d in yaml.safe_load_all(OUT.read_text()) if d]
    services = [
        d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] in SERVICES
    ]  # the web app and Keycloak migrate nothing of the services' (their own databases)
    assert {d["metadata"]["name"] for d in services} == set(SERVICES)
    for doc in services:
        env = {e["name"]: e for e in doc["spec"]["template"]["spec"]["containers"][0]["env"]}
        own = env["PANA_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"]
        owner = env["PANA_DATABASE_OWNER_URL"]["valueFrom"]["secretKeyRef"]["name"]
        assert (own, owner) == ("pana-databases", "pana-database-owners")
