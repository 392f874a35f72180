"""A running cases service on the test's real PostgreSQL and Kafka, with fresh data keys."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from services.cases.app import CasesSettings, create_app
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.services import Keys, RunningService, serve, service_environment

REGION = "lima_callao"


@pytest.fixture(scope="module")
async def cases(
    postgres: PostgresEndpoint, kafka: KafkaEndpoint, keys: Keys
) -> AsyncIterator[RunningService]:
    """One service per test module (each test makes its own people and cases)."""
    name = f"t_cases_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(postgres.url("postgres"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with service_environment(keys):
            settings = CasesSettings(database_url=postgres.url(name), **kafka.settings("cases"))
            async with serve(lambda: create_app(settings), keys) as running:
                yield running
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def caseworker(running: RunningService, region: str = REGION) -> httpx.AsyncClient:
    return running.client("caseworker", regions=[region])


def person(**overrides: Any) -> dict[str, Any]:
    """A registration body with unique personal values (so a leak is findable)."""
    tag = uuid.uuid4().hex[:6]
    return {
        "given_names": f"Yulimar {tag}",
        "family_names": f"Contreras {tag}",
        "document_type": "ptp",
        "document_number": f"V-{int(tag, 16) % 10**8:08d}",
        "phone": f"+51 9{int(tag, 16) % 10**8:08d}",
        "sex": "woman",
        "birth_date": "1994-03-12",
        "nationality": "VEN",
        "region": REGION,
        "vulnerabilities": ["survivor_of_violence"],
        **overrides,
    }


async def register(client: httpx.AsyncClient, **overrides: Any) -> tuple[str, dict[str, Any]]:
    body = person(**overrides)
    answer = await client.post("/participants", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["participant_id"]), body


async def consent(client: httpx.AsyncClient, participant_id: str, *purposes: str) -> str:
    answer = await client.post(
        f"/participants/{participant_id}/consents",
        json={"purposes": list(purposes or ("services", "monitoring_evaluation"))},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["consent_id"])


async def open_case(
    client: httpx.AsyncClient, participant_id: str, case_type: str = "gbv_protection"
) -> dict[str, Any]:
    answer = await client.post(
        "/cases",
        json={
            "participant_id": participant_id,
            "case_type": case_type,
            "intake_channel": "admission_form",
            "region": REGION,
        },
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())
