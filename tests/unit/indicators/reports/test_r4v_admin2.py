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
from tests.unit.indicators.builders import (
    case_opened,
    ledger_of,
    message,
    numbered,
    redeemed,
    referral_completed,
    referral_requested,
    registered,
    service,
)

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


def test_vouchers_and_referrals_fill_admin2_in_their_5w_rows() -> None:
    """O.E. 2.2 (a redemption repeats its voucher's province), O.E. 2.4 (a request) and O.E. 1.1
    (a completion repeats its request's): the rows their acts make name the province too."""
    events = numbered(
        registered(1, "woman", born="1990-05"), registered(2, "man", born="1985-01"),
        with_admin2(redeemed(1, 1, day="2023-04-03", region="piura"), "piura_sullana"),
        redeemed(2, 2, day="2023-04-04", region="piura"),  # a voucher that named none
        with_admin2(referral_requested(2, day="2023-04-05", region="tumbes"), "tumbes_tumbes"),
        case_opened(1, day="2023-04-01"),
        with_admin2(referral_completed(1, day="2023-04-20"), "lima_lima"),
    )  # fmt: skip
    rows = [r for r in five_w(Y2, ledger_of(Y2, events), 2023) if r.month == "2023-04"]
    placed = sorted((r.indicator, r.region, r.admin2, r.monthly["women"], r.monthly["men"])
                    for r in rows if r.indicator in ("OE1.1", "OE2.2", "OE2.4"))  # fmt: skip
    assert placed == [
        ("OE1.1", "lima_callao", "lima_lima", 1, 0),
        ("OE2.2", "piura", "", 0, 1),
        ("OE2.2", "piura", "piura_sullana", 1, 0),
        ("OE2.4", "tumbes", "tumbes_tumbes", 0, 1),
    ]
    lines = list(csv.DictReader(io.StringIO(five_w_csv(Y2, rows))))
    assert {(line["Logframe indicator"], line["Admin2"]) for line in lines} >= {
        ("OE1.1", "Lima"), ("OE2.2", "Sullana"), ("OE2.2", ""), ("OE2.4", "Tumbes"),
    }  # fmt: skip


def test_vouchers_and_referrals_recorded_before_admin2_existed_still_read() -> None:
    for event_type in ("voucher.issued", "voucher.redeemed", "referral.requested",
                       "referral.completed"):  # fmt: skip
        old = example_data()[f"{event_type}.v1"]
        old.pop("admin2", None)  # the vouchers' examples now name one
        read = decode_payload(event_type, 1, old)
        assert read.admin2 is None  # type: ignore[attr-defined]
        assert {a.admin2 for a in facts_from(Y2, "e1", read) if isinstance(a, Act)} <= {""}
