"""Every event type of the domain is registered, closed, immutable and routed to its topic."""

from datetime import datetime

import pytest
from pydantic import ValidationError

from contracts.event import Event
from contracts.examples import example_event
from contracts.registry import (
    EVENT_MODELS,
    REGISTRY,
    UnknownEventType,
    UnknownEventVersion,
    event_types,
    latest_model,
    latest_version,
    model_for,
)
from contracts.topics import ALL_TOPICS, DEADLETTER_TOPIC, topic_for

DOMAIN_EVENT_TYPES = {
    "participant.registered": "pana.participants.v1",
    "participant.corrected": "pana.participants.v1",
    "participant.merged": "pana.participants.v1",
    "consent.given": "pana.participants.v1",
    "participant.erased": "pana.participants.v1",
    "consent.withdrawn": "pana.participants.v1",
    "message.reached": "pana.participants.v1",
    "livelihood.outcome_recorded": "pana.participants.v1",
    "livelihood.enrolled": "pana.participants.v1",
    "livelihood.stage_scored": "pana.participants.v1",
    "livelihood.training_finished": "pana.participants.v1",
    "case.opened": "pana.cases.v1",
    "case.reassigned": "pana.cases.v1",
    "case.closed": "pana.cases.v1",
    "case.reopened": "pana.cases.v1",
    "service.delivered": "pana.cases.v1",
    "legal_complaint.filed": "pana.cases.v1",
    "legal_complaint.taken_up": "pana.cases.v1",
    "referral.requested": "pana.referrals.v1",
    "referral.accepted": "pana.referrals.v1",
    "referral.rejected": "pana.referrals.v1",
    "referral.completed": "pana.referrals.v1",
    "referral.cancelled": "pana.referrals.v1",
    "referral.overdue": "pana.referrals.v1",
    "voucher.issued": "pana.vouchers.v1",
    "voucher.approved": "pana.vouchers.v1",
    "voucher.redeemed": "pana.vouchers.v1",
    "voucher.reversed": "pana.vouchers.v1",
    "voucher.cancelled": "pana.vouchers.v1",
    "voucher.expired": "pana.vouchers.v1",
    "group_activity.recorded": "pana.cases.v1",
}

HEADCOUNT_ONLY = {"group_activity.recorded"}
"""Events that count people by headcount (indirect participants): they must name no one."""

ALL_VERSIONS = sorted(REGISTRY)


def test_every_domain_event_type_is_registered_and_nothing_else() -> None:
    assert set(event_types()) == set(DOMAIN_EVENT_TYPES)


@pytest.mark.parametrize(("event_type", "topic"), sorted(DOMAIN_EVENT_TYPES.items()))
def test_each_event_type_goes_to_its_aggregate_topic(event_type: str, topic: str) -> None:
    assert topic_for(event_type) == topic


def test_topics_are_declared_once_with_partitions() -> None:
    names = [topic.name for topic in ALL_TOPICS]

    assert len(names) == len(set(names))
    assert set(DOMAIN_EVENT_TYPES.values()) | {DEADLETTER_TOPIC} == set(names)
    assert all(topic.partitions >= 1 for topic in ALL_TOPICS)


def test_versions_are_looked_up_exactly() -> None:
    assert latest_version("message.reached") == 2
    assert latest_version("voucher.redeemed") == 1
    assert model_for("message.reached", 1).version == 1
    assert latest_model("message.reached").version == 2
    with pytest.raises(UnknownEventType):
        model_for("voucher.teleported", 1)
    with pytest.raises(UnknownEventVersion, match="latest known is v1"):
        model_for("voucher.redeemed", 2)
    with pytest.raises(UnknownEventType):
        topic_for("voucher.teleported")


@pytest.mark.parametrize(("event_type", "version"), ALL_VERSIONS)
def test_every_registered_version_has_an_example(event_type: str, version: int) -> None:
    event = example_event(event_type, version)

    assert type(event) is model_for(event_type, version)


@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda m: f"{m.event_type}.v{m.version}")
def test_events_are_immutable_and_closed(model: type[Event]) -> None:
    event = example_event(model.event_type, model.version)
    field = next(iter(model.model_fields))

    with pytest.raises(ValidationError, match="frozen"):
        setattr(event, field, None)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate({**event.model_dump(), "surprise": 1})


@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda m: f"{m.event_type}.v{m.version}")
def test_every_event_names_a_person_or_case_and_when_it_happened(model: type[Event]) -> None:
    fields = model.model_fields
    example = example_event(model.event_type, model.version)

    people = {"participant_id", "case_id", "surviving_participant_id"} & set(fields)
    if model.event_type in HEADCOUNT_ONLY:
        assert not people
    else:
        assert people
    assert any(
        name.endswith("_at") and isinstance(getattr(example, name), datetime) for name in fields
    )
    assert example.aggregate_id == getattr(example, model.subject_field)


def test_an_event_class_with_a_missing_subject_field_is_refused_at_definition() -> None:
    with pytest.raises(TypeError, match="subject_field"):

        class Broken(Event):
            event_type = "broken.happened"
            aggregate = "broken"
            subject_field = "broken_id"
