"""No personal value used at intake or in follow-up reaches Kafka or the event store."""

from __future__ import annotations

import json

import pytest

from contracts.topics import CASES, PARTICIPANTS
from tests.integration.cases.conftest import caseworker, consent, open_case, register
from tests.support.infrastructure import KafkaEndpoint
from tests.support.kafka_reading import read_until
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_no_personal_value_in_any_published_message(
    cases: RunningService, kafka: KafkaEndpoint
) -> None:
    client = caseworker(cases)
    participant_id, person = await register(client)
    await consent(client, participant_id)
    case = await open_case(client, participant_id)
    path = f"/cases/{case['case_id']}"
    note = "Vive en Jr. Las Flores 123, Comas; teléfono de su hermana 912345678"
    await client.post(f"{path}/notes", json={"text": note})
    await client.post(f"{path}/services", json={"service_type": "psychological_first_aid"})
    await client.post(
        f"/participants/{participant_id}/corrections",
        json={"reason": "data_entry_error", "family_names": "Corregido Apellido", "sex": "woman"},
    )
    rows = await cases.app.state.pool.fetch(
        "SELECT event_id::text, data::text FROM events WHERE stream_id = ANY($1::text[])",
        [participant_id, case["case_id"]],
    )
    assert len(rows) >= 5
    reads = []
    for topic in (PARTICIPANTS.name, CASES.name):
        wanted = {r["event_id"] for r in rows if topic_of(r["data"]) == topic}
        reads += await read_until(kafka.admin, topic, wanted, within=30)
    published = [
        json.dumps({"data": r.envelope.data, "subject": r.envelope.subject, "key": str(r.key)})
        for r in reads
    ] + [r["data"] for r in rows]
    secrets = [
        person["given_names"],
        person["family_names"],
        person["document_number"],
        person["document_number"].replace("V-", "V"),
        person["phone"],
        person["phone"].replace(" ", "").removeprefix("+"),
        person["birth_date"],
        "Corregido",
        "Las Flores",
        "912345678",
        "survivor_of_violence",
    ]
    leaks = [(s, m[:80]) for s in secrets for m in published if s.lower() in m.lower()]
    assert leaks == []


def topic_of(data: str) -> str:
    """Case events carry a case_id; participant events do not."""
    return CASES.name if '"case_id"' in data else PARTICIPANTS.name
