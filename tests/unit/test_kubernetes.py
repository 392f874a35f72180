"""deploy/k8s/pana.yaml is current, valid against the Kubernetes schemas, and complete."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from contracts.topics import ALL_TOPICS, DEADLETTER_TOPIC, SOURCE_BY_TOPIC
from deploy.k8s.render import IMAGE, KAFKA_PORT, OUT, SERVICES, render
from deploy.kafka_principals import EVENT_TOPICS, PRINCIPALS
from deploy.keycloak.server import KEYCLOAK_VERSION, REALM, REALM_FILE

CORE_KINDS = {
    "Namespace",
    "ConfigMap",
    "Deployment",
    "Service",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "Ingress",
}


def _docs() -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(OUT.read_text()) if d]


def test_checked_in_manifests_are_not_stale() -> None:
    assert OUT.read_text() == render(), "run python -m deploy.k8s.render"


@pytest.mark.parametrize("index", range(len(_docs())))
def test_core_resources_validate_against_the_kubernetes_schemas(index: int) -> None:
    doc = _docs()[index]
    if doc["kind"] in CORE_KINDS:
        kubernetes_validate.validate(doc, "1.33", strict=True)
    else:  # Strimzi custom resources: the operator validates them against its CRDs
        assert doc["apiVersion"] == "kafka.strimzi.io/v1beta2"
        assert doc["kind"] in {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"}


def _deployments() -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in _docs() if d["kind"] == "Deployment"}


def test_every_service_is_replicated_probed_and_bounded() -> None:
    deployments = _deployments()
    assert set(deployments) == {*SERVICES, "web", "keycloak", "imports"}
    for name, doc in deployments.items():
        assert doc["spec"]["replicas"] >= 2, name
        container = doc["spec"]["template"]["spec"]["containers"][0]
        assert container["resources"]["requests"] and container["resources"]["limits"]
        assert container["readinessProbe"] and container["livenessProbe"], name
        assert doc["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    for name in [*SERVICES, "web", "imports"]:
        doc = deployments[name]
        container = doc["spec"]["template"]["spec"]["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["resources"]["requests"] and container["resources"]["limits"]


def test_kafka_topics_are_the_ones_declared_in_code() -> None:
    topics = {
        (d["spec"]["topicName"], d["spec"]["partitions"])
        for d in _docs()
        if d["kind"] == "KafkaTopic"
    }
    assert topics == {(t.name, t.partitions) for t in ALL_TOPICS}


def test_every_topic_keeps_its_history_forever() -> None:
    configs = [d["spec"]["config"] for d in _docs() if d["kind"] == "KafkaTopic"]
    assert configs and all(c == {"retention.ms": "-1", "retention.bytes": "-1"} for c in configs)


def _config() -> dict[str, str]:
    (doc,) = [
        d for d in _docs() if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "pana-config"
    ]
    data: dict[str, str] = doc["data"]
    return data


def _one(kind: str) -> dict[str, Any]:
    (doc,) = [d for d in _docs() if d["kind"] == kind]
    return doc


def test_kafka_admits_authenticated_clients_only() -> None:
    spec = _one("Kafka")["spec"]["kafka"]
    for listener in spec["listeners"]:  # every listener: TLS and SCRAM
        assert listener["tls"] is True
        assert listener["authentication"] == {"type": "scram-sha-512"}
    assert [listener["port"] for listener in spec["listeners"]] == [KAFKA_PORT]
    assert spec["authorization"] == {"type": "simple", "superUsers": ["admin"]}
    assert spec["config"]["allow.everyone.if.no.acl.found"] is False
    assert "userOperator" in _one("Kafka")["spec"]["entityOperator"]
    config = _config()
    assert config["PANA_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["PANA_KAFKA_BOOTSTRAP_SERVERS"].endswith(f":{KAFKA_PORT}")


def _rules(user: dict[str, Any], operation: str) -> set[str]:
    return {
        rule["resource"]["name"]
        for rule in user["spec"]["authorization"]["acls"]
        if operation in rule["operations"] and rule["resource"]["type"] == "topic"
    }


def test_one_kafka_user_per_principal_writing_only_its_own_topics() -> None:
    users = {d["metadata"]["name"]: d for d in _docs() if d["kind"] == "KafkaUser"}
    assert set(users) == {p.name for p in PRINCIPALS} == {*SERVICES, "reader"}
    for name, user in users.items():
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == "pana-kafka"
        owned = {t for t, source in SOURCE_BY_TOPIC.items() if source == f"/pana/{name}"}
        assert _rules(user, "Write") - {DEADLETTER_TOPIC} == owned, name
    assert _rules(users["indicators"], "Read") == set(EVENT_TOPICS)
    assert _rules(users["reader"], "Write") == set()
    groups = [
        r["resource"]
        for r in users["indicators"]["spec"]["authorization"]["acls"]
        if r["resource"]["type"] == "group"
    ]
    assert groups == [{"type": "group", "name": "indicators", "patternType": "prefix"}]


def test_each_service_connects_with_its_own_secret() -> None:
    for name in SERVICES:
        doc = _deployments()[name]
        pod = doc["spec"]["template"]["spec"]
        env = {e["name"]: e for e in pod["containers"][0]["env"]}
        assert env["PANA_KAFKA_USERNAME"]["value"] == name
        assert env["PANA_KAFKA_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": name,
            "key": "password",
        }
        assert pod["volumes"][0]["secret"]["secretName"] == "pana-kafka-cluster-ca-cert"


def test_only_the_services_reach_the_kafka_port() -> None:
    policy = _one("NetworkPolicy")["spec"]
    assert policy["podSelector"]["matchLabels"]["strimzi.io/cluster"] == "pana-kafka"
    (rule,) = policy["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": KAFKA_PORT}]
    (peer,) = rule["from"]
    (expression,) = peer["podSelector"]["matchExpressions"]
    assert expression["values"] == sorted(SERVICES)
    (listener,) = _one("Kafka")["spec"]["kafka"]["listeners"]
    assert listener["networkPolicyPeers"] == rule["from"]  # Strimzi's own policy agrees


def _env(name: str) -> dict[str, dict[str, Any]]:
    container = _deployments()[name]["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e for e in container["env"]}


def test_keycloak_imports_the_one_realm_file_into_its_own_database() -> None:
    keycloak = _deployments()["keycloak"]["spec"]["template"]["spec"]
    container = keycloak["containers"][0]
    assert container["image"] == f"quay.io/keycloak/keycloak:{KEYCLOAK_VERSION}"
    assert container["args"] == ["start", "--import-realm"]  # production mode, not start-dev
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    (realm,) = [
        d for d in _docs() if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "keycloak-realm"
    ]
    assert realm["data"] == {"pana-realm.json": REALM_FILE.read_text()}  # one source
    assert "users" not in json.loads(realm["data"]["pana-realm.json"])  # no demo accounts
    (volume,) = keycloak["volumes"]
    assert volume["configMap"]["name"] == "keycloak-realm"
    assert container["volumeMounts"][0]["mountPath"] == "/opt/keycloak/data/import"
    env = _env("keycloak")
    assert env["KC_DB"]["value"] == "postgres"
    for variable in ("KC_DB_URL", "KC_DB_USERNAME", "KC_DB_PASSWORD"):
        assert env[variable]["valueFrom"]["secretKeyRef"]["name"] == "pana-keycloak-database"
    for variable in ("KC_BOOTSTRAP_ADMIN_USERNAME", "KC_BOOTSTRAP_ADMIN_PASSWORD"):
        assert env[variable]["valueFrom"]["secretKeyRef"]["name"] == "pana-keycloak-admin"


def test_browsers_and_services_see_one_issuer() -> None:
    env = _env("keycloak")
    public = env["KC_HOSTNAME"]["value"]
    assert public.startswith("https://")
    assert env["KC_HOSTNAME_BACKCHANNEL_DYNAMIC"]["value"] == "true"
    config = _config()
    assert config["PANA_OIDC_ISSUER"] == f"{public}/realms/{REALM}"
    assert config["PANA_OIDC_JWKS_URL"] == (
        f"http://keycloak:8080/realms/{REALM}/protocol/openid-connect/certs"
    )
    assert config["PANA_OIDC_AUDIENCE"] == "pana"
    for name in [*SERVICES, "web"]:  # every one reads the issuer from pana-config
        container = _deployments()[name]["spec"]["template"]["spec"]["containers"][0]
        assert container["envFrom"] == [{"configMapRef": {"name": "pana-config"}}], name
    assert _env("web")["PANA_WEB_OIDC_DISCOVERY_URL"]["value"] == (
        f"http://keycloak:8080/realms/{REALM}/.well-known/openid-configuration"
    )
    services = {d["metadata"]["name"]: d for d in _docs() if d["kind"] == "Service"}
    assert services["keycloak"]["spec"]["ports"][0]["port"] == 8080
    hosts = {
        rule["host"]: rule["http"]["paths"][0]["backend"]["service"]["name"]
        for rule in _one("Ingress")["spec"]["rules"]
    }
    assert hosts[urlsplit(public).hostname or ""] == "keycloak"
    web_public = _env("web")["PANA_WEB_PUBLIC_URL"]["value"]
    assert hosts[urlsplit(web_public).hostname or ""] == "web"
    assert set(_one("Ingress")["spec"]["tls"][0]["hosts"]) == set(hosts)


def test_the_web_app_keeps_sessions_in_its_own_database_with_a_secret_key() -> None:
    container = _deployments()["web"]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == IMAGE and container["command"] == ["python", "-m", "web"]
    env = _env("web")
    for name, (port, *_) in SERVICES.items():
        assert env[f"PANA_WEB_{name.upper()}_URL"]["value"] == f"http://{name}:{port}"
    assert env["PANA_WEB_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "pana-databases",
        "key": "web",
    }
    assert env["PANA_WEB_SESSION_KEY"]["valueFrom"]["secretKeyRef"]["name"] == "pana-web-session"
    assert "PANA_KAFKA_USERNAME" not in env  # the web app reads and writes no topic
    assert _config()["PANA_ENVIRONMENT"] == "production"  # which refuses in-memory sessions


def test_the_imports_api_runs_beside_the_services_and_signs_as_their_issuer() -> None:
    deployment = _deployments()["imports"]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["command"] == ["python", "-m", "deploy.imports"]
    env = _env("imports")
    port = int(env["PANA_IMPORTS_PORT"]["value"])
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    for name in ("cases", "referrals", "vouchers"):
        assert env[f"PANA_IMPORTS_{name.upper()}_URL"]["value"] == (
            f"http://{name}:{SERVICES[name][0]}"
        )
    assert env["PANA_IMPORTS_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "pana-databases",
        "key": "imports",
    }
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    key = env["PANA_IMPORTS_SIGNING_KEY_PATH"]["value"]
    assert key.startswith(mounts["import-signing"] + "/")
    secrets = {v["name"]: v.get("secret", {}).get("secretName") for v in pod["volumes"]}
    assert secrets["import-signing"] == "pana-import-signing"
    assert container["envFrom"] == [{"configMapRef": {"name": "pana-config"}}]  # the issuer
    services = {d["metadata"]["name"]: d for d in _docs() if d["kind"] == "Service"}
    assert services["imports"]["spec"]["ports"][0]["port"] == port
