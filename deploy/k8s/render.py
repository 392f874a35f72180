"""`python -m deploy.k8s.render [--check]`: the Kubernetes manifests, generated from code.

One Deployment, Service and PodDisruptionBudget per service (several replicas: the relay elects
one publisher per database, consumers share partitions), Kafka through the Strimzi operator
(KRaft node pool, one KafkaTopic per topic declared in `contracts.topics`), PostgreSQL as an
external or operator-managed server named by Secrets. Output: `deploy/k8s/pana.yaml`.

Kafka admits authenticated clients only: one TLS listener with SCRAM-SHA-512, `simple`
authorization, and one `KafkaUser` per principal of `deploy/kafka_principals.py` whose ACLs let
a service write only its own topics and read what it consumes (the reader reads, writes
nothing). Each service reads its own user's Secret (made by Strimzi's user operator), trusts the
cluster CA, and a NetworkPolicy lets only the four services' pods reach the client port.

People sign in at Keycloak (production mode, its own database, the realm file from
`deploy/keycloak/pana-realm.json` as the ConfigMap `keycloak-realm`) and use the web app (the
project's image, `python -m web`, sessions in its own database), both behind one Ingress. Every
token's issuer is Keycloak's public address (`KC_HOSTNAME`); pods fetch keys and the discovery
document at its in-cluster Service (`KC_HOSTNAME_BACKCHANNEL_DYNAMIC`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from contracts.topics import ALL_TOPICS
from deploy.kafka_principals import ADMIN, PRINCIPALS, Principal, acls
from deploy.keycloak.server import KEYCLOAK_VERSION, REALM, REALM_FILE
from eventkit.topics import KEEP_FOREVER

OUT = Path(__file__).with_name("pana.yaml")
NAMESPACE = "pana"
IMAGE = "ghcr.io/pana-platform/pana:0.1.0"
SERVICES = {  # name: (port, replicas, cpu request, memory request, memory limit)
    "cases": (8001, 3, "250m", "256Mi", "512Mi"),
    "referrals": (8002, 2, "200m", "256Mi", "512Mi"),
    "vouchers": (8003, 3, "250m", "256Mi", "512Mi"),
    "indicators": (8004, 2, "500m", "384Mi", "1Gi"),
}
LABELS = {"app.kubernetes.io/part-of": "pana"}
KAFKA_CLUSTER = "pana-kafka"
KAFKA_PORT = 9093  # the TLS + SCRAM listener; there is no other client listener
KAFKA_CA = "/etc/pana/kafka-ca"
WEB = ("web", 8000, 2, "100m", "128Mi", "256Mi")
"""The pages (several replicas: sessions live in its own database)."""
IMPORTS = ("imports", 8006, 2, "100m", "192Mi", "512Mi")
"""The supervisors' import API (`python -m deploy.imports`): no Kafka; a job runs in one replica
at a time (a lock in its database), so replicas are safe."""
IMPORT_SIGNING = "/etc/pana/import-signing"
KEYCLOAK = ("keycloak", 8080, 2, "500m", "768Mi", "1536Mi")
"""The OpenID provider (replicas find each other through its database: 26's jdbc-ping)."""
KEYCLOAK_MANAGEMENT_PORT = 9000
PUBLIC_WEB = "https://pana.example.org"
PUBLIC_SIGN_IN = "https://sign-in.example.org"
"""Where browsers reach the pages and Keycloak (Ingress hosts); `KC_HOSTNAME` names the latter,
so every token's `iss` is `PUBLIC_SIGN_IN/realms/pana`, for browsers and services alike."""
ISSUER = f"{PUBLIC_SIGN_IN}/realms/{REALM}"
IN_CLUSTER_REALM = f"http://keycloak:{KEYCLOAK[1]}/realms/{REALM}"
"""The realm as pods reach it: its discovery document then names in-cluster backchannel URLs
(token, JWKS) because `KC_HOSTNAME_BACKCHANNEL_DYNAMIC` is on."""


def _meta(name: str, **labels: str) -> dict[str, Any]:
    return {"name": name, "namespace": NAMESPACE, "labels": {**LABELS, **labels}}


def _probe(path: str, port: int, period: int) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": port}, "periodSeconds": period, "timeoutSeconds": 3}


def _secret(variable: str, secret: str, key: str) -> dict[str, Any]:
    """An environment variable read from a Secret the operator creates (never checked in)."""
    return {"name": variable, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def deployment(name: str) -> dict[str, Any]:
    port, replicas, cpu, memory, limit = SERVICES[name]
    labels = {"app.kubernetes.io/name": name}
    env = [
        {"name": "PANA_SERVICE", "value": name},
        {"name": "PANA_PORT", "value": str(port)},
        {"name": "PANA_HOST", "value": "0.0.0.0"},  # inside the pod network
        _secret("PANA_DATABASE_URL", "pana-databases", name),
        # Its own Kafka principal: the user operator writes each KafkaUser's password to a
        # Secret of the same name.
        {"name": "PANA_KAFKA_USERNAME", "value": name},
        _secret("PANA_KAFKA_PASSWORD", name, "password"),
        # The schema owner's URL, for migrations at start (a short-lived connection): the
        # service's own role (pana-databases) owns no table and cannot disable audit triggers.
        _secret("PANA_DATABASE_OWNER_URL", "pana-database-owners", name),
    ]
    if name in ("cases", "referrals"):
        env += [
            _secret(f"PANA_PERSONAL_DATA_{key}", "pana-personal-data", key.lower())
            for key in ("MASTER_KEY", "BLIND_INDEX_KEY")
        ]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, **labels),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": {**LABELS, **labels}},
                "spec": {
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
                    "volumes": [
                        {
                            "name": "kafka-ca",
                            "secret": {"secretName": f"{KAFKA_CLUSTER}-cluster-ca-cert"},
                        }
                    ],
                    "containers": [
                        {
                            "name": name,
                            "image": IMAGE,
                            "ports": [{"name": "http", "containerPort": port}],
                            "envFrom": [{"configMapRef": {"name": "pana-config"}}],
                            "env": env,
                            "volumeMounts": [
                                {"name": "kafka-ca", "mountPath": KAFKA_CA, "readOnly": True}
                            ],
                            "livenessProbe": _probe("/healthz", port, 10),
                            "readinessProbe": _probe("/readyz", port, 5),
                            "startupProbe": {**_probe("/healthz", port, 2), "failureThreshold": 30},
                            "resources": {
                                "requests": {"cpu": cpu, "memory": memory},
                                "limits": {"memory": limit},
                            },
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]},
                            },
                        }
                    ],
                },
            },
        },
    }


def service(name: str) -> dict[str, Any]:
    port = SERVICES[name][0]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name),
        "spec": {
            "selector": {"app.kubernetes.io/name": name},
            "ports": [{"name": "http", "port": port, "targetPort": "http"}],
        },
    }


def disruption_budget(name: str) -> dict[str, Any]:
    return disruption_budget_of(name)


def disruption_budget_of(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(name),
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": name}}},
    }


def platform() -> list[dict[str, Any]]:
    config = {
        "PANA_ENVIRONMENT": "production",
        "PANA_KAFKA_BOOTSTRAP_SERVERS": f"{KAFKA_CLUSTER}-kafka-bootstrap:{KAFKA_PORT}",
        "PANA_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "PANA_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "PANA_KAFKA_SSL_CAFILE": f"{KAFKA_CA}/ca.crt",
        "PANA_AUTH_JWKS_URL": "https://id.example.org/.well-known/jwks.json",
        "PANA_AUTH_ISSUER": "https://id.example.org/",
        "PANA_AUTH_AUDIENCE": "pana",
        # People's tokens, from the realm's Keycloak (access.oidc): one issuer for browsers and
        # services, keys fetched inside the cluster.
        "PANA_OIDC_ISSUER": ISSUER,
        "PANA_OIDC_JWKS_URL": f"{IN_CLUSTER_REALM}/protocol/openid-connect/certs",
        "PANA_OIDC_AUDIENCE": "pana",
        "PANA_OTEL_EXPORTER": "otlp",
        "PANA_OTEL_ENDPOINT": "http://otel-collector.observability:4318/v1/traces",
    }
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": NAMESPACE, "labels": LABELS},
        },
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("pana-config"), "data": config},
    ]


def kafka() -> list[dict[str, Any]]:
    """Strimzi resources: a KRaft cluster of three combined nodes, the declared topics, one
    KafkaUser per principal and the NetworkPolicy of the client port."""
    cluster = KAFKA_CLUSTER
    pool = {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaNodePool",
        "metadata": {**_meta("combined"), "labels": {**LABELS, "strimzi.io/cluster": cluster}},
        "spec": {
            "replicas": 3,
            "roles": ["controller", "broker"],
            "storage": {"type": "persistent-claim", "size": "100Gi", "deleteClaim": False},
        },
    }
    kafka_cluster = {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "Kafka",
        "metadata": {
            **_meta(cluster),
            "annotations": {"strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled"},
        },
        "spec": {
            "kafka": {
                "version": "4.1.0",
                "listeners": [
                    {
                        "name": "scram",
                        "port": KAFKA_PORT,
                        "type": "internal",
                        "tls": True,
                        "authentication": {"type": "scram-sha-512"},
                        # Strimzi's own policy for this port admits the same pods only.
                        "networkPolicyPeers": [{"podSelector": _kafka_clients()}],
                    }
                ],
                # The brokers authenticate to each other with Strimzi's certificates.
                "authorization": {"type": "simple", "superUsers": [ADMIN]},
                "config": {
                    "default.replication.factor": 3,
                    "min.insync.replicas": 2,
                    "auto.create.topics.enable": False,
                    "allow.everyone.if.no.acl.found": False,
                },
            },
            "entityOperator": {"topicOperator": {}, "userOperator": {}},
        },
    }
    member = {**LABELS, "strimzi.io/cluster": cluster}
    topics = [
        {
            "apiVersion": "kafka.strimzi.io/v1beta2",
            "kind": "KafkaTopic",
            "metadata": {**_meta(t.name.replace(".", "-")), "labels": member},
            "spec": {
                "topicName": t.name,
                "partitions": t.partitions,
                "replicas": 3,
                "config": dict(KEEP_FOREVER),  # history lasts: no time or size retention
            },
        }
        for t in ALL_TOPICS
    ]
    users = [kafka_user(p, member) for p in PRINCIPALS]
    return [pool, kafka_cluster, *topics, *users, kafka_network_policy()]


def _kafka_clients() -> dict[str, Any]:
    """The pods that may reach the broker's client port: the four services'."""
    return {
        "matchLabels": LABELS,
        "matchExpressions": [
            {"key": "app.kubernetes.io/name", "operator": "In", "values": sorted(SERVICES)}
        ],
    }


def kafka_user(principal: Principal, member: dict[str, str]) -> dict[str, Any]:
    """A SCRAM user with its ALLOW rules (`deploy.kafka_principals.acls`); nothing else."""
    rules = [
        {
            "resource": {
                "type": acl.resource,
                "name": acl.name,
                "patternType": "prefix" if acl.prefixed else "literal",
            },
            "operations": [acl.operation.capitalize()],
            "host": "*",
        }
        for acl in acls(principal)
    ]
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaUser",
        "metadata": {**_meta(principal.name), "labels": member},
        "spec": {
            "authentication": {"type": "scram-sha-512"},
            "authorization": {"type": "simple", "acls": rules},
        },
    }


def kafka_network_policy() -> dict[str, Any]:
    """Only the services' pods reach the brokers' client port (Strimzi keeps its own ports)."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta("kafka-clients"),
        "spec": {
            "podSelector": {
                "matchLabels": {"strimzi.io/cluster": KAFKA_CLUSTER, "strimzi.io/kind": "Kafka"}
            },
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"podSelector": _kafka_clients()}],
                    "ports": [{"protocol": "TCP", "port": KAFKA_PORT}],
                }
            ],
        },
    }


def _container_security(read_only: bool = True) -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": read_only,
        "capabilities": {"drop": ["ALL"]},
    }


def _workload(
    spec: tuple[str, int, int, str, str, str],
    pod: dict[str, Any],
    container: dict[str, Any],
) -> dict[str, Any]:
    """A Deployment of `spec` (name, port, replicas, cpu, memory request, memory limit)."""
    name, port, replicas, cpu, memory, limit = spec
    labels = {"app.kubernetes.io/name": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, **labels),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": {**LABELS, **labels}},
                "spec": {
                    **pod,
                    "containers": [
                        {
                            "name": name,
                            "ports": [{"name": "http", "containerPort": port}],
                            "resources": {
                                "requests": {"cpu": cpu, "memory": memory},
                                "limits": {"memory": limit},
                            },
                            **container,
                        }
                    ],
                },
            },
        },
    }


def web() -> dict[str, Any]:
    """The pages: the project's image running `python -m web`, sessions in its own database
    (Secret `pana-databases`, key `web`) sealed by the key in Secret `pana-web-session`."""
    name, port = WEB[0], WEB[1]
    env = [
        {"name": "PANA_WEB_HOST", "value": "0.0.0.0"},
        {"name": "PANA_WEB_PORT", "value": str(port)},
        {"name": "PANA_WEB_PUBLIC_URL", "value": PUBLIC_WEB},
        *(
            {"name": f"PANA_WEB_{s.upper()}_URL", "value": f"http://{s}:{SERVICES[s][0]}"}
            for s in SERVICES
        ),
        {
            "name": "PANA_WEB_OIDC_DISCOVERY_URL",
            "value": f"{IN_CLUSTER_REALM}/.well-known/openid-configuration",
        },
        {"name": "PANA_WEB_OIDC_CLIENT_ID", "value": "pana-web"},
        _secret("PANA_WEB_DATABASE_URL", "pana-databases", name),
        _secret("PANA_WEB_SESSION_KEY", "pana-web-session", "key"),
    ]
    return _workload(
        WEB,
        {"securityContext": {"runAsNonRoot": True, "runAsUser": 10001}},
        {
            "image": IMAGE,
            "command": ["python", "-m", "web"],
            "envFrom": [{"configMapRef": {"name": "pana-config"}}],  # environment, issuer
            "env": env,
            "livenessProbe": _probe("/healthz", port, 10),
            "readinessProbe": _probe("/readyz", port, 5),
            "securityContext": _container_security(),
        },
    )


def imports() -> dict[str, Any]:
    """The supervisors' import API: its jobs in its own database (Secret `pana-databases`, key
    `imports`); each row goes to a service's API with a token it signs with the key in Secret
    `pana-import-signing` (key `key.pem`): the private key of the issuer the services trust
    (`PANA_AUTH_JWKS_URL`, `PANA_AUTH_ISSUER` in pana-config). Uploads spool to `/tmp`."""
    name, port = IMPORTS[0], IMPORTS[1]
    env = [
        {"name": "PANA_IMPORTS_PORT", "value": str(port)},
        {"name": "PANA_IMPORTS_HOST", "value": "0.0.0.0"},  # inside the pod network
        *(
            {"name": f"PANA_IMPORTS_{s.upper()}_URL", "value": f"http://{s}:{SERVICES[s][0]}"}
            for s in ("cases", "referrals", "vouchers")
        ),
        _secret("PANA_IMPORTS_DATABASE_URL", "pana-databases", name),
        {"name": "PANA_IMPORTS_SIGNING_KEY_PATH", "value": f"{IMPORT_SIGNING}/key.pem"},
    ]
    volumes = [
        {"name": "import-signing", "secret": {"secretName": "pana-import-signing"}},
        {"name": "tmp", "emptyDir": {}},
    ]
    return _workload(
        IMPORTS,
        {"securityContext": {"runAsNonRoot": True, "runAsUser": 10001}, "volumes": volumes},
        {
            "image": IMAGE,
            "command": ["python", "-m", "deploy.imports"],
            "envFrom": [{"configMapRef": {"name": "pana-config"}}],  # the issuer, the keys
            "env": env,
            "volumeMounts": [
                {"name": "import-signing", "mountPath": IMPORT_SIGNING, "readOnly": True},
                {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108 (the pod's own emptyDir)
            ],
            "livenessProbe": _probe("/healthz", port, 10),
            "readinessProbe": _probe("/readyz", port, 5),
            "securityContext": _container_security(),
        },
    )


def keycloak() -> list[dict[str, Any]]:
    """Keycloak in production mode with its own PostgreSQL database, importing the realm file
    (deploy/keycloak/pana-realm.json: no accounts) from the ConfigMap `keycloak-realm`."""
    realm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta("keycloak-realm"),
        "data": {REALM_FILE.name: REALM_FILE.read_text()},
    }
    env = [
        {"name": "KC_DB", "value": "postgres"},
        _secret("KC_DB_URL", "pana-keycloak-database", "jdbc-url"),
        _secret("KC_DB_USERNAME", "pana-keycloak-database", "username"),
        _secret("KC_DB_PASSWORD", "pana-keycloak-database", "password"),
        {"name": "KC_HOSTNAME", "value": PUBLIC_SIGN_IN},
        {"name": "KC_HOSTNAME_BACKCHANNEL_DYNAMIC", "value": "true"},
        {"name": "KC_HTTP_ENABLED", "value": "true"},  # TLS ends at the Ingress
        {"name": "KC_PROXY_HEADERS", "value": "xforwarded"},
        {"name": "KC_HEALTH_ENABLED", "value": "true"},
        _secret("KC_BOOTSTRAP_ADMIN_USERNAME", "pana-keycloak-admin", "username"),
        _secret("KC_BOOTSTRAP_ADMIN_PASSWORD", "pana-keycloak-admin", "password"),
    ]
    management = KEYCLOAK_MANAGEMENT_PORT
    deployment = _workload(
        KEYCLOAK,
        {
            "securityContext": {"runAsNonRoot": True, "runAsUser": 1000},
            "volumes": [{"name": "realm", "configMap": {"name": "keycloak-realm"}}],
        },
        {
            "image": f"quay.io/keycloak/keycloak:{KEYCLOAK_VERSION}",
            "args": ["start", "--import-realm"],
            "env": env,
            "volumeMounts": [
                {"name": "realm", "mountPath": "/opt/keycloak/data/import", "readOnly": True}
            ],
            "livenessProbe": _probe("/health/live", management, 10),
            "readinessProbe": _probe("/health/ready", management, 5),
            "startupProbe": {**_probe("/health/started", management, 5), "failureThreshold": 60},
            # `start` builds its Quarkus application into /opt/keycloak at the first start.
            "securityContext": _container_security(read_only=False),
        },
    )
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"].append(
        {"name": "management", "containerPort": management}
    )
    return [realm, deployment]


def _plain_service(spec: tuple[str, int, int, str, str, str]) -> dict[str, Any]:
    name, port = spec[0], spec[1]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name),
        "spec": {
            "selector": {"app.kubernetes.io/name": name},
            "ports": [{"name": "http", "port": port, "targetPort": "http"}],
        },
    }


def ingress() -> dict[str, Any]:
    """Browsers reach the pages and Keycloak at their public names, over TLS."""
    hosts = {
        PUBLIC_WEB.removeprefix("https://"): WEB,
        PUBLIC_SIGN_IN.removeprefix("https://"): KEYCLOAK,
    }
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": _meta("pana"),
        "spec": {
            "tls": [{"hosts": sorted(hosts), "secretName": "pana-tls"}],
            "rules": [
                {
                    "host": host,
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {
                                    "service": {"name": spec[0], "port": {"number": spec[1]}}
                                },
                            }
                        ]
                    },
                }
                for host, spec in sorted(hosts.items())
            ],
        },
    }


def documents() -> list[dict[str, Any]]:
    docs = platform() + kafka()
    for name in SERVICES:
        docs += [deployment(name), service(name), disruption_budget(name)]
    docs += [web(), _plain_service(WEB), disruption_budget_of(WEB[0])]
    docs += [imports(), _plain_service(IMPORTS), disruption_budget_of(IMPORTS[0])]
    docs += [*keycloak(), _plain_service(KEYCLOAK), disruption_budget_of(KEYCLOAK[0])]
    docs.append(ingress())
    return docs


def render() -> str:
    header = "# Generated by `python -m deploy.k8s.render`; edit render.py, not this file.\n"
    return header + yaml.safe_dump_all(documents(), sort_keys=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.k8s.render", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when pana.yaml is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is stale: run python -m deploy.k8s.render", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
