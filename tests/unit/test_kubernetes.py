"""deploy/k8s/pana.yaml is current, valid against the Kubernetes schemas, and complete."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
import yaml

from contracts.topics import ALL_TOPICS, DEADLETTER_TOPIC, SOURCE_BY_TOPIC
from deploy.k8s.render import KAFKA_PORT, OUT, SERVICES, render
from deploy.kafka_principals import EVENT_TOPICS, PRINCIPALS

CORE_KINDS = {
    "Namespace",
    "ConfigMap",
    "Deployment",
    "Service",
    "PodDisruptionBudget",
    "NetworkPolicy",
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


def test_every_service_is_replicated_probed_and_bounded() -> None:
    deployments = {d["metadata"]["name"]: d for d in _docs() if d["kind"] == "Deployment"}
    assert set(deployments) == set(SERVICES)
    for name, doc in deployments.items():
        assert doc["spec"]["replicas"] >= 2, name
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
    config = _one("ConfigMap")["data"]
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
    for doc in (d for d in _docs() if d["kind"] == "Deployment"):
        name = doc["metadata"]["name"]
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
