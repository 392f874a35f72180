"""The registry of event models: which class reads which (event type, version).

Every event class must be listed in ``EVENT_MODELS``; the generator, the envelope and the tests
all walk this one list, so an event that is not registered cannot be published or decoded.
"""

from collections.abc import Mapping
from types import MappingProxyType

from contracts.cases import CaseClosed, CaseOpened, CaseReassigned, CaseReopened, ServiceDelivered
from contracts.consent import ConsentGiven, ConsentWithdrawn
from contracts.event import Event
from contracts.group_activities import GroupActivityRecorded
from contracts.legal_complaints import LegalComplaintFiled, LegalComplaintTakenUp
from contracts.livelihoods import (
    LivelihoodEnrolled,
    LivelihoodStageScored,
    LivelihoodTrainingFinished,
)
from contracts.outreach import LivelihoodOutcomeRecorded, MessageReached, MessageReachedV1
from contracts.participants import (
    ParticipantCorrected,
    ParticipantErased,
    ParticipantMerged,
    ParticipantRegistered,
)
from contracts.referrals import (
    ReferralAccepted,
    ReferralCancelled,
    ReferralCompleted,
    ReferralOverdue,
    ReferralRejected,
    ReferralRequested,
)
from contracts.vouchers import (
    VoucherApproved,
    VoucherCancelled,
    VoucherExpired,
    VoucherIssued,
    VoucherRedeemed,
    VoucherReversed,
)

SCHEMA_BASE_URI = "https://schemas.pana.example/events/"

EVENT_MODELS: tuple[type[Event], ...] = (
    ParticipantRegistered,
    ParticipantCorrected,
    ParticipantMerged,
    ParticipantErased,
    ConsentGiven,
    ConsentWithdrawn,
    MessageReachedV1,
    MessageReached,
    LivelihoodOutcomeRecorded,
    LivelihoodEnrolled,
    LivelihoodStageScored,
    LivelihoodTrainingFinished,
    CaseOpened,
    CaseReassigned,
    CaseClosed,
    CaseReopened,
    ServiceDelivered,
    LegalComplaintFiled,
    LegalComplaintTakenUp,
    ReferralRequested,
    ReferralAccepted,
    ReferralRejected,
    ReferralCompleted,
    ReferralCancelled,
    ReferralOverdue,
    VoucherIssued,
    VoucherApproved,
    VoucherRedeemed,
    VoucherReversed,
    VoucherCancelled,
    VoucherExpired,
    GroupActivityRecorded,
)


class UnknownEventType(LookupError):
    """No model is registered for this event type."""


class UnknownEventVersion(LookupError):
    """The event type is known but not at this version (typically a newer producer)."""


def _index(models: tuple[type[Event], ...]) -> Mapping[tuple[str, int], type[Event]]:
    index: dict[tuple[str, int], type[Event]] = {}
    for model in models:
        key = (model.event_type, model.version)
        if key in index:
            raise TypeError(f"{key} is registered twice: {index[key].__name__}, {model.__name__}")
        index[key] = model
    # Upcasters run version by version, so a type's versions must be 1..n without gaps.
    for event_type in {event_type for event_type, _ in index}:
        versions = sorted(version for known, version in index if known == event_type)
        if versions != list(range(1, len(versions) + 1)):
            raise TypeError(f"{event_type} versions {versions} are not 1..n")
    return MappingProxyType(index)


REGISTRY: Mapping[tuple[str, int], type[Event]] = _index(EVENT_MODELS)

# Looked up for every message consumed (header checks, upcasting, routing): a dict, not a scan.
_LATEST: Mapping[str, int] = {
    event_type: max(v for t, v in REGISTRY if t == event_type) for event_type, _ in REGISTRY
}


def event_types() -> tuple[str, ...]:
    """Return every registered event type once, in registration order."""
    return tuple(dict.fromkeys(model.event_type for model in EVENT_MODELS))


def latest_version(event_type: str) -> int:
    """Return the newest registered version of ``event_type``; raise ``UnknownEventType``."""
    try:
        return _LATEST[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def model_for(event_type: str, version: int) -> type[Event]:
    """Return the model of ``event_type`` at ``version``.

    Raises ``UnknownEventType`` for a type never registered and ``UnknownEventVersion`` for a
    version this code does not know (e.g. a message from a newer producer).
    """
    model = REGISTRY.get((event_type, version))
    if model is None:
        latest = latest_version(event_type)
        raise UnknownEventVersion(f"{event_type} v{version} (latest known is v{latest})")
    return model


def latest_model(event_type: str) -> type[Event]:
    """Return the model producers use today for ``event_type``."""
    return model_for(event_type, latest_version(event_type))


def schema_uri(event_type: str, version: int) -> str:
    """Return the JSON Schema ``$id`` of a type and version, also used as CloudEvents dataschema."""
    return f"{SCHEMA_BASE_URI}{event_type}.v{version}.json"
