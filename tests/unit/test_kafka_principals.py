"""Who may write which topic, and which events a topic's consumers accept (pure rules)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from contracts.topics import (
    CASES,
    DEADLETTER_TOPIC,
    PARTICIPANTS,
    REFERRALS,
    SOURCE_BY_TOPIC,
    VOUCHERS,
    not_from_owner,
)
from deploy.kafka_principals import PRINCIPALS, READER, SERVICES, acls
from eventkit.kafka_access import KafkaAccess, access_from_env
from eventkit.settings import ServiceSettings


def _writes(name: str) -> set[str]:
    (principal,) = [p for p in PRINCIPALS if p.name == name]
    return {a.name for a in acls(principal) if a.operation == "WRITE"}


def test_each_service_writes_only_the_topics_it_owns() -> None:
    assert _writes("cases") == {PARTICIPANTS.name, CASES.name}
    assert _writes("referrals") == {REFERRALS.name, DEADLETTER_TOPIC}
    assert _writes("vouchers") == {VOUCHERS.name, DEADLETTER_TOPIC}  # its roster dead-letters
    assert _writes("indicators") == {
        DEADLETTER_TOPIC
    }  # dead letters only: no projection reads them
    assert _writes("reader") == set()
    for service in SERVICES:
        owned = {t for t, source in SOURCE_BY_TOPIC.items() if source == f"/pana/{service.name}"}
        assert _writes(service.name) - {DEADLETTER_TOPIC} == owned


def test_readers_read_and_group_under_their_own_prefix() -> None:
    rules = acls(READER)
    assert {a.operation for a in rules} == {"READ", "DESCRIBE"}
    groups = [a for a in rules if a.resource == "group"]
    assert [(g.name, g.prefixed) for g in groups] == [("reader", True)]
    reads = {p.name: p.reads for p in SERVICES}
    # Consent and the roster (who exists and where) are copies of the cases service's events.
    assert reads["referrals"] == reads["vouchers"] == (PARTICIPANTS.name, CASES.name)
    assert reads["cases"] == ()


def test_an_event_must_come_from_its_topics_owner() -> None:
    assert not_from_owner(CASES.name, "case.opened", "/pana/cases") is None
    assert not_from_owner(PARTICIPANTS.name, "case.opened", "/pana/cases") is None  # same owner
    assert not_from_owner(CASES.name, "case.opened", "/pana/vouchers") == (
        f"source is not the owner of {CASES.name} (/pana/cases)"
    )
    assert not_from_owner(VOUCHERS.name, "case.opened", "/pana/vouchers") == (
        f"case.opened is not an event of {VOUCHERS.name}'s owner (/pana/vouchers)"
    )
    assert not_from_owner("test.topic", "case.opened", "/anything") is None  # no owner
    forged = "<script>name: Ana</script>"
    assert forged not in (not_from_owner(CASES.name, "case.opened", forged) or "")


def test_credentials_reach_every_client_and_never_a_repr() -> None:
    access = KafkaAccess("h:1", "SASL_PLAINTEXT", "SCRAM-SHA-512", "cases", "s3cret")
    options = access.options()
    assert options["sasl_plain_username"] == "cases"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert "s3cret" not in repr(access)
    assert access_from_env("h:1", access.env()) == access
    assert ServiceSettings(**access.settings()).kafka == access
    assert KafkaAccess("h:1").options() == {
        "bootstrap_servers": "h:1",
        "security_protocol": "PLAINTEXT",
    }


def test_a_sasl_protocol_needs_credentials_and_production_needs_sasl() -> None:
    with pytest.raises(ValidationError, match="PANA_KAFKA_USERNAME"):
        ServiceSettings(kafka_security_protocol="SASL_SSL")
    with pytest.raises(ValidationError, match="authenticated Kafka client"):
        ServiceSettings(
            environment="production",
            database_url="postgresql://db/x",
            kafka_bootstrap_servers="k:9",
        )
