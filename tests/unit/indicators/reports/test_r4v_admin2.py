"""The 5W's Admin2 column: filled from the province the recorded acts name, empty when they name
none; the events carry it additively (old ones still read) and the read model's log keeps it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from uuid import uuid4

import orjson

from contracts.cases import ServiceDelivered
from contracts.envelope import decode, envelope_for, from_kafka, to_kafka
from contracts.event import Event
from contracts.examples import example_data
from contracts.upcasting import decode_payload
from services.indicators.facts import Act, facts_from
from services.indicators.logframe import load_directory
from services.indicators.recorded import decode as decode_logged
from services.indicators.recorded import logged
from services.indicators.reports.r4v import HEADER, five_w, five_w_csv
from tests.unit.indicators.builders import ledger_of, message, numbered, registered, service

Y2 = load_directory()["pana_peru_y2_v1"]
PAP = "psychological_first_aid"


def with_admin2(event: Event, admin2: str) -> Event:
    """The same event naming the province `admin2` (as the cases service now writes it)."""
    return type(event).model_validate({**event.model_dump(mode="json"), "admin2": admin2})


def test_a_delivery_with_its_province_goes_through_kafka_and_back() -> None:
    sent = with_admin2(service(1, PAP, day="2023-03-10", region="piura"), "piura_paita")
    _, value, headers = to_kafka(envelope_for(sent, event_id=uuid4(), time=datetime.now(UTC)))
    received = decode(from_kafka(headers, value))
    assert received == sent
    assert isinstance(received, ServiceDelivered)
    assert received.admin2 == "piura_paita"
    assert orjson.loads(value)["admin2"] == "piura_paita"


def test_events_recorded_before_admin2_existed_still_read() -> None:
    for key, event_type, version in (
        ("service.delivered.v1", "service.delivered", 1),
        ("message.reached.v2", "message.reached", 2),
    ):
        old = example_data()[key]
        assert "admin2" not in old
        read = decode_payload(event_type, version, old)
        assert read.admin2 is None  # type: ignore[attr-defined]
        acts = [f for f in facts_from(Y2, "e1", read) if isinstance(f, Act)]
        assert acts  # counted by Year 2's rules, with no province
        assert {a.admin2 for a in acts} == {""}


def test_the_5w_fills_admin2_from_the_acts_and_leaves_it_empty_without() -> None:
    events = numbered(
        registered(1, "woman", born="1990-05"), registered(2, "man", born="1985-01"),
        registered(3, "woman", born="2012-03"),
        with_admin2(service(1, PAP, day="2023-03-10", region="piura"), "piura_paita"),
        with_admin2(service(3, PAP, day="2023-03-12", region="piura"), "piura_paita"),
        service(2, PAP, day="2023-03-20", region="piura"),  # no province named
        with_admin2(message(2, day="2023-03-05", region="tumbes"), "tumbes_zarumilla"),
    )  # fmt: skip
    ledger = ledger_of(Y2, events)
    rows = [r for r in five_w(Y2, ledger, 2023) if r.month == "2023-03"]
    pap = {r.admin2: r for r in rows if r.indicator == "OE2.7"}
    assert set(pap) == {"piura_paita", ""}
    assert pap["piura_paita"].monthly == {"women": 1, "men": 0, "girls": 1, "boys": 0, "other": 0}
    assert pap[""].monthly == {"women": 0, "men": 1, "girls": 0, "boys": 0, "other": 0}
    health = [r for r in rows if r.indicator == "OE2.5"]
    assert [(r.region, r.admin2) for r in health] == [("tumbes", "tumbes_zarumilla")]

    lines = list(csv.DictReader(io.StringIO(five_w_csv(Y2, rows))))
    by_place = {
        (line["Logframe indicator"], line["Admin1"], line["Admin2"]): line for line in lines
    }
    assert set(by_place) == {
        ("OE2.7", "Piura", "Paita"), ("OE2.7", "Piura", ""), ("OE2.5", "Tumbes", "Zarumilla"),
    }  # fmt: skip
    paita = by_place[("OE2.7", "Piura", "Paita")]
    assert (paita["Monthly women"], paita["Monthly girls"], paita["Monthly total"]) == (
        "1", "1", "2",
    )  # fmt: skip
    assert HEADER.index("Admin2") == 2


def test_the_log_keeps_an_act_s_admin2_and_logs_one_without_as_before() -> None:
    ((plain_id, plain), (named_id, named)) = numbered(
        service(1, PAP, region="piura"),
        with_admin2(service(2, PAP, region="piura"), "piura_paita"),
    )
    (without,) = [
        f for f in facts_from(Y2, plain_id, plain) if isinstance(f, Act) and f.indicator == "OE2.7"
    ]
    (with_it,) = [
        f for f in facts_from(Y2, named_id, named) if isinstance(f, Act) and f.indicator == "OE2.7"
    ]
    assert with_it.admin2 == "piura_paita"
    assert len(logged(without)) == 8  # the entry written before admin2 existed
    for act in (without, with_it):
        assert decode_logged("act", orjson.loads(orjson.dumps(logged(act)))) == act
