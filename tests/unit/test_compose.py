"""docker-compose.yml is structurally sound (there is no Docker engine here to run it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

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
        if spec.get("profiles") is None and name != "secrets":
            assert spec["restart"] == "unless-stopped", name


def test_application_services_wait_for_healthy_infrastructure() -> None:
    services = _compose()["services"]
    for name in ("cases", "referrals", "vouchers", "indicators"):
        depends = services[name]["depends_on"]
        assert depends == {
            "kafka": {"condition": "service_healthy"},
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
