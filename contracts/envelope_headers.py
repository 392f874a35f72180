"""Writing, reading and checking the CloudEvents ``ce_*`` headers of a Kafka record (binary mode).

Every problem is a ``ValueError`` whose message is the dead-letter reason, so it names the
header and the problem; header values are quoted only when they cannot hold event data.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from contracts.registry import UnknownEventType, latest_version

REQUIRED_HEADERS = (
    "ce_specversion",
    "ce_id",
    "ce_source",
    "ce_type",
    "ce_time",
    "ce_subject",
    "ce_schemaversion",
)
OPTIONAL_HEADERS = ("ce_dataschema", "content-type", "traceparent")
_READ = frozenset(REQUIRED_HEADERS + OPTIONAL_HEADERS)

TRACEPARENT_PATTERN = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


@dataclass(frozen=True)
class CloudEventAttributes:
    """The checked attributes of one message."""

    id: str
    source: str
    type: str
    time: datetime
    subject: str
    dataschema: str | None
    version: int
    traceparent: str | None


def _decode(headers: Sequence[tuple[str, bytes]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.lower()
        if name not in _READ:
            continue
        if name in found:
            raise ValueError(f"duplicate header {name}")
        try:
            found[name] = raw_value.decode("utf-8")
        except (UnicodeDecodeError, AttributeError):
            raise ValueError(f"header {name} is not UTF-8 text") from None
    missing = [name for name in REQUIRED_HEADERS if not found.get(name)]
    if missing:
        raise ValueError(f"missing required header(s): {', '.join(missing)}")
    return found


def _version(event_type: str, text: str) -> int:
    if not re.fullmatch(r"[1-9][0-9]{0,5}", text):
        raise ValueError(f"ce_schemaversion {text[:20]!r} is not a positive integer")
    version = int(text)
    try:
        latest = latest_version(event_type)
    except UnknownEventType:
        raise ValueError(f"unknown event type {event_type[:80]!r} (ce_type)") from None
    if version > latest:
        raise ValueError(
            f"unknown future version {version} of {event_type!r} (latest known is {latest})"
        )
    return version


def format_time(time: datetime) -> str:
    """Format an instant as RFC 3339 in UTC with a ``Z`` suffix and microseconds."""
    text = time.astimezone(UTC).isoformat(timespec="microseconds")
    return text.removesuffix("+00:00") + "Z"


def _time(text: str) -> datetime:
    try:
        time = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"ce_time {text[:40]!r} is not an RFC 3339 timestamp") from None
    if time.tzinfo is None:
        raise ValueError("ce_time has no UTC offset")
    return time.astimezone(UTC)


def read_headers(headers: Sequence[tuple[str, bytes]]) -> CloudEventAttributes:
    """Return the checked CloudEvents attributes of a record; raise ``ValueError`` with a reason."""
    found = _decode(headers)
    if found["ce_specversion"] != "1.0":
        raise ValueError(f"unsupported ce_specversion {found['ce_specversion'][:10]!r}")
    content_type = found.get("content-type", "application/json")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise ValueError(f"unsupported content-type {content_type[:40]!r}")
    try:
        event_id = str(UUID(found["ce_id"]))
    except ValueError:
        raise ValueError("ce_id is not a UUID") from None
    traceparent = found.get("traceparent")
    return CloudEventAttributes(
        id=event_id,
        source=found["ce_source"],
        type=found["ce_type"],
        time=_time(found["ce_time"]),
        subject=found["ce_subject"],
        dataschema=found.get("ce_dataschema"),
        version=_version(found["ce_type"], found["ce_schemaversion"]),
        # A malformed trace context must not make a message unreadable: drop it, start anew.
        traceparent=traceparent if traceparent and TRACEPARENT_PATTERN.match(traceparent) else None,
    )
