"""docker-compose.yml is structurally sound (there is no Docker engine here to run it)."""

from __future__ import annotations

import fnmatch
import json
import stat
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from deploy.kafka_principals import SERVICES, USERS
from deploy.keycloak.accounts import ACCOUNTS, PASSWORD
from deploy.keycloak.server import KEYCLOAK_VERSION, REALM, REALM_FILE, local_realm
from deploy.local.kafka import security_properties
from deploy.local.kafka_secrets import write_compose_secrets

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_every_service_has_an_image_or_build_and_a_healthcheck() -> None:
    services = _compose()["services"]
    assert {"kafka", "postgres", "cases", "referrals", "vouchers", "indicators"} <= set(services)
    for name, spec in services.items():
        assert "image" in spec or "build" in spec, name
        assert spec["healthcheck"]["test"], name
        if spec.get("profiles") is None and name not in ("secrets", "kafka-setup"):  # one-shot
            assert spec["restart"] == "unless-stopped", name


def test_application_services_wait_for_healthy_infrastructure() -> None:
    services = _compose()["services"]
    for name in ("cases", "referrals", "vouchers", "indicators"):
        depends = services[name]["depends_on"]
        assert depends == {
            "kafka": {"condition": "service_healthy"},
            "kafka-setup": {"condition": "service_completed_successfully"},
            "postgres": {"condition": "service_healthy"},
            "secrets": {"condition": "service_completed_successfully"},
        }, name
        assert services[name]["environment"]["PANA_AUTH_JWKS_PATH"].startswith("/run/pana/")
        assert services[name]["environment"]["PANA_SERVICE"] == name


def test_images_are_the_ones_the_stack_promises() -> None:
    services = _compose()["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    assert services["postgres"]["image"] == "postgres:16"
    assert (ROOT / "Dockerfile").exists()
    mounted = services["postgres"]["volumes"][1].split(":")[0]
    assert (ROOT / mounted).exists()
    assert services["jaeger"]["profiles"] == ["tracing"]  # tracing is optional
    assert (ROOT / "deploy/compose/otel-collector.yaml").exists()


def test_kafka_requires_scram_and_acls() -> None:
    services = _compose()["services"]
    kafka = services["kafka"]
    assert kafka["entrypoint"] == ["/bin/sh", "/etc/pana/kafka-start.sh"]
    mounted = {v.split(":")[0]: v.split(":")[1] for v in kafka["volumes"]}
    for source in ("./deploy/compose/kafka-start.sh", "./deploy/compose/kafka-server.properties"):
        assert (ROOT / source).exists()
    assert mounted["secrets"] == "/run/pana"
    base = _properties((ROOT / "deploy/compose/kafka-server.properties").read_text())
    assert base["listeners"] == "CLIENT://:9092,CONTROLLER://:9093"
    security = security_properties(dict.fromkeys(USERS, "x"))
    assert security["listener.security.protocol.map"] == (
        "CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT"  # no listener without authentication
    )
    assert security["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert security["allow.everyone.if.no.acl.found"] == "false"
    assert security["authorizer.class.name"].endswith("StandardAuthorizer")
    assert security["super.users"] == "User:admin;User:broker"
    assert not set(base) & set(security)  # nothing in the base overrides the security settings
    start = (ROOT / "deploy/compose/kafka-start.sh").read_text()
    assert "scram-arguments" in start and "broker.properties" in start
    assert "--command-config" in " ".join(kafka["healthcheck"]["test"])


def test_each_service_connects_as_its_own_principal() -> None:
    services = _compose()["services"]
    users = set()
    for name in ("cases", "referrals", "vouchers", "indicators"):
        env = services[name]["environment"]
        assert env["PANA_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT", name
        assert env["PANA_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512", name
        assert env["PANA_KAFKA_USERNAME"] == name
        assert env["PANA_KAFKA_PASSWORD_FILE"] == f"/run/pana/kafka/{name}.password"
        assert "PANA_KAFKA_PASSWORD" not in env  # never a password in the compose file
        users.add(env["PANA_KAFKA_USERNAME"])
    assert users == {p.name for p in SERVICES}
    setup = services["kafka-setup"]
    assert setup["command"][:3] == ["python", "-m", "deploy.local.kafka_acl"]
    assert setup["environment"]["PANA_KAFKA_USERNAME"] == "admin"
    assert setup["depends_on"] == {"kafka": {"condition": "service_healthy"}}
    secrets = " ".join(services["secrets"]["command"])
    assert "deploy.local.kafka_secrets /run/pana/kafka" in secrets


def test_compose_secrets_are_made_once_and_readable_by_their_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "kafka"
    first = write_compose_secrets(folder)
    assert write_compose_secrets(folder) == first  # kept across restarts
    assert len(set(first.values())) == len(first)  # every user its own password
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    for service in SERVICES:
        assert (folder / f"{service.name}.password").read_text() == first[service.name]
    assert not (folder / "reader.password").exists()  # no compose process reads as the reader
    arguments = (folder / "scram-arguments").read_text().split()
    assert arguments.count("--add-scram") == len(USERS)
    assert f"SCRAM-SHA-512=[name=cases,password={first['cases']}]" in arguments
    broker = _properties((folder / "broker.properties").read_text())
    assert broker["allow.everyone.if.no.acl.found"] == "false"


def _properties(text: str) -> dict[str, str]:
    lines = [line for line in text.splitlines() if line and line[0] != "#"]
    return dict(line.split("=", 1) for line in lines)


def test_keycloak_runs_the_same_version_and_realm_as_make_up_with_its_own_database() -> None:
    services = _compose()["services"]
    keycloak = services["keycloak"]
    assert keycloak["image"] == f"quay.io/keycloak/keycloak:{KEYCLOAK_VERSION}"
    start = keycloak["command"][0]
    assert "kc.sh start --import-realm" in start and "start-dev" not in start
    mounts = {v.split(":")[1]: v.split(":")[0] for v in keycloak["volumes"]}
    realm = mounts["/opt/keycloak/data/import/pana-realm.json"]
    assert (ROOT / realm).resolve() == REALM_FILE  # one realm file for every deployment
    env = keycloak["environment"]
    assert env["KC_DB"] == "postgres"
    assert env["KC_DB_URL"] == "jdbc:postgresql://postgres:5432/keycloak"
    created = (ROOT / "deploy/compose/create-databases.sql").read_text()
    assert f"CREATE DATABASE keycloak OWNER {env['KC_DB_USERNAME']};" in created
    assert "KC_BOOTSTRAP_ADMIN_PASSWORD" not in env  # read from the secrets volume at start
    assert "/run/pana/keycloak-admin.password" in start
    assert mounts["/run/pana"] == "secrets"
    assert "chown 1000 /run/pana/keycloak-admin.password" in " ".join(
        services["secrets"]["command"]
    )
    assert "/health/ready" in " ".join(keycloak["healthcheck"]["test"])
    assert env["KC_HEALTH_ENABLED"] == "true"


def test_browsers_and_services_see_one_issuer() -> None:
    services = _compose()["services"]
    keycloak = services["keycloak"]["environment"]
    issuer = f"{keycloak['KC_HOSTNAME']}/realms/{REALM}"
    published = services["keycloak"]["ports"][0]  # where browsers reach it
    assert urlsplit(keycloak["KC_HOSTNAME"]).port == int(published.split(":")[1])
    assert urlsplit(keycloak["KC_HOSTNAME"]).hostname == "localhost"
    assert keycloak["KC_HOSTNAME_BACKCHANNEL_DYNAMIC"] == "true"  # containers: keycloak:8080
    for name in ("cases", "referrals", "vouchers", "indicators", "web"):
        env = services[name]["environment"]
        assert env["PANA_OIDC_ISSUER"] == issuer, name
    for name in ("cases", "referrals", "vouchers", "indicators"):
        env = services[name]["environment"]
        assert env["PANA_OIDC_JWKS_URL"] == (
            f"http://keycloak:8080/realms/{REALM}/protocol/openid-connect/certs"
        )
        assert env["PANA_OIDC_AUDIENCE"] == "pana"
    web = services["web"]["environment"]
    assert web["PANA_WEB_OIDC_DISCOVERY_URL"] == (
        f"http://keycloak:8080/realms/{REALM}/.well-known/openid-configuration"
    )
    # The realm's redirect URIs admit the web app's public address.
    (client,) = json.loads(REALM_FILE.read_text())["clients"]
    assert client["clientId"] == web["PANA_WEB_OIDC_CLIENT_ID"]
    public = web["PANA_WEB_PUBLIC_URL"]
    assert any(
        fnmatch.fnmatchcase(f"{public}/auth/callback", uri) for uri in client["redirectUris"]
    )


def test_the_web_app_calls_the_services_and_keeps_sessions_in_its_own_database() -> None:
    services = _compose()["services"]
    web = services["web"]
    assert web["image"] == "pana-platform:local" and web["command"] == ["python", "-m", "web"]
    env = web["environment"]
    ports = {"cases": 8001, "referrals": 8002, "vouchers": 8003, "indicators": 8004}
    for name, port in ports.items():
        assert env[f"PANA_WEB_{name.upper()}_URL"] == f"http://{name}:{port}"
        assert services[name]["environment"]["PANA_PORT"] == str(port)
        assert web["depends_on"][name] == {"condition": "service_healthy"}
    assert web["depends_on"]["keycloak"] == {"condition": "service_healthy"}
    assert env["PANA_WEB_HOST"] == "0.0.0.0"
    assert f"127.0.0.1:{env['PANA_WEB_PORT']}:" in web["ports"][0]
    database = urlsplit(env["PANA_WEB_DATABASE_URL"])
    assert database.username == "pana_web" and database.path == "/pana_web"
    created = (ROOT / "deploy/compose/create-databases.sql").read_text()
    assert "CREATE DATABASE pana_web OWNER pana_web;" in created
    assert "PANA_WEB_SESSION_KEY" not in env  # never the key in the compose file: a file
    assert env["PANA_WEB_SESSION_KEY_FILE"] == "/run/pana/web-session.key"
    assert "chown 10001 /run/pana/web-session.key" in " ".join(services["secrets"]["command"])
    assert "readyz" in " ".join(web["healthcheck"]["test"])


def test_the_compose_and_kubernetes_realm_holds_no_account_nor_demo_password() -> None:
    text = REALM_FILE.read_text()
    assert "users" not in json.loads(text) and PASSWORD not in text
    local = local_realm()  # make up and the tests: the fictional accounts, one per role
    assert {u["username"] for u in local["users"]} == set(ACCOUNTS.values())
    assert {k: v for k, v in local.items() if k != "users"} == json.loads(text)


def test_the_imports_api_runs_beside_the_services_with_its_own_database() -> None:
    services = _compose()["services"]
    imports = services["imports"]
    assert imports["image"] == "pana-platform:local"
    assert imports["command"] == ["python", "-m", "deploy.imports"]
    env = imports["environment"]
    for name in ("cases", "referrals", "vouchers"):
        port = services[name]["environment"]["PANA_PORT"]
        assert env[f"PANA_IMPORTS_{name.upper()}_URL"] == f"http://{name}:{port}"
        assert imports["depends_on"][name] == {"condition": "service_healthy"}
    assert f"127.0.0.1:{env['PANA_IMPORTS_PORT']}:" in imports["ports"][0]
    database = urlsplit(env["PANA_IMPORTS_DATABASE_URL"])
    assert database.username == "pana_imports" and database.path == "/pana_imports"
    created = (ROOT / "deploy/compose/create-databases.sql").read_text()
    assert "CREATE DATABASE pana_imports OWNER pana_imports;" in created
    # Its tokens are the local issuer's, which the services trust: the key in the secrets
    # volume, readable by the image's user.
    assert env["PANA_IMPORTS_SIGNING_KEY_PATH"] == "/run/pana/signing-key.pem"
    assert "/run/pana/signing-key.pem" in " ".join(services["secrets"]["command"])
    assert env["PANA_AUTH_JWKS_PATH"] == services["cases"]["environment"]["PANA_AUTH_JWKS_PATH"]
    assert "readyz" in " ".join(imports["healthcheck"]["test"])
    assert env["PANA_IMPORTS_PORT"] in " ".join(imports["healthcheck"]["test"])
