"""deploy/k8s/pana.yaml is current, valid against the Kubernetes schemas, and complete."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
import yaml

from contracts.topics import ALL_TOPICS
from deploy.k8s.render import OUT, SERVICES, render

CORE_KINDS = {"Namespace", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget"}


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
        assert doc["kind"] in {"Kafka", "KafkaNodePool", "KafkaTopic"}


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
