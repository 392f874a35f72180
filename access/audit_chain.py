"""The hash chain of the audit log, apart from any database: hashing and checking records.

Each record's hash is SHA-256 over a canonical JSON of its fields and the previous record's
hash, so changing, removing or reordering any record breaks the chain from there on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime

from access.principal import Principal

GENESIS_HASH = "0" * 64
"""The `previous_hash` of record 1."""


@dataclass(frozen=True)
class AuditRecord:
    """Who did what to which resource, why, and with what outcome. Ids only, no personal data."""

    actor_subject: str
    actor_org: str
    actor_role: str
    action: str
    resource_type: str
    resource_id: str
    outcome: str
    # Kept out of repr: a break-glass reason belongs in the audit log, not in a stray log line.
    purpose: str | None = field(default=None, repr=False)

    @classmethod
    def by(
        cls,
        principal: Principal,
        action: str,
        resource: tuple[str, str],
        outcome: str,
        purpose: str | None = None,
    ) -> AuditRecord:
        """A record of `principal` doing `action` on `resource` (type, id)."""
        org, role = principal.organization_id, principal.role.value
        return cls(principal.subject, org, role, action, *resource, outcome, purpose)

    def values(self) -> tuple[str | None, ...]:
        """The fields in declared order (they are all text: no copying, unlike `astuple`)."""
        return tuple(getattr(self, name) for name in RECORD_FIELDS)


RECORD_FIELDS = tuple(f.name for f in fields(AuditRecord))
"""The names of an `AuditRecord`'s fields, in declared order (the order of its columns)."""


@dataclass(frozen=True)
class ChainedRecord:
    """A record as it sits in the chain."""

    sequence: int
    recorded_at: datetime
    record: AuditRecord
    previous_hash: str
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    """Whether the chain is intact; if not, the first sequence found bad and why."""

    ok: bool
    first_bad_sequence: int | None
    reason: str
    records: int = 0
    head_hash: str = GENESIS_HASH


def record_hash(sequence: int, recorded_at: datetime, record: AuditRecord, previous: str) -> str:
    """SHA-256 (hex) over the canonical JSON of the record, its place and the previous hash."""
    # An explicit format: isoformat() drops the fraction when it is zero, which would make the
    # same instant hash two ways.
    when = recorded_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body: dict[str, object] = dict(zip(RECORD_FIELDS, record.values(), strict=True))
    body.update(sequence=sequence, recorded_at=when, previous_hash=previous)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class ChainCheck:
    """Checks records fed in sequence order, stopping at the first break.

    `known_head` (sequence, hash), noted from an earlier verify, also catches records removed
    from the end, which the chain alone cannot show. `anchors` (sequence -> hash, from the
    auditor's signed checkpoints, `access.audit_checkpoints`) also catch a history rewritten
    with every hash recomputed, which the public hash alone cannot show.
    """

    def __init__(
        self, known_head: tuple[int, str] | None = None, anchors: Mapping[int, str] | None = None
    ) -> None:
        self._known_head = known_head
        self._anchors = dict(anchors or {})
        self._expected = 1
        self._previous = GENESIS_HASH
        self._failure: VerifyResult | None = None

    def add(self, row: ChainedRecord) -> bool:
        """Check one more record; False once the chain is broken (stop feeding)."""
        n = self._expected
        if row.sequence != n:
            return self._fail(n, f"record {n} is missing (the next record is {row.sequence})")
        if row.previous_hash != self._previous:
            return self._fail(n, f"record {n} does not link to record {n - 1}")
        if record_hash(n, row.recorded_at, row.record, row.previous_hash) != row.hash:
            return self._fail(n, f"record {n} does not match its hash: it was modified")
        if self._known_head and self._known_head[0] == n and self._known_head[1] != row.hash:
            return self._fail(n, f"record {n} is not the one noted as the head earlier")
        if self._anchors.get(n, row.hash) != row.hash:
            return self._fail(
                n, f"record {n} is not the one the auditor signed: the history was rewritten"
            )
        self._previous, self._expected = row.hash, n + 1
        return True

    def result(self) -> VerifyResult:
        """The verdict on everything fed so far."""
        if self._failure is not None:
            return self._failure
        records = self._expected - 1
        if self._known_head and self._known_head[0] > records:
            head = self._known_head[0]
            return self._fail_result(records + 1, f"records {records + 1}..{head} are missing")
        signed = max(self._anchors, default=0)
        if signed > records:
            return self._fail_result(
                records + 1, f"records {records + 1}..{signed} are missing (signed by the auditor)"
            )
        return VerifyResult(True, None, f"{records} records intact", records, self._previous)

    def _fail(self, sequence: int, reason: str) -> bool:
        self._failure = self._fail_result(sequence, reason)
        return False

    def _fail_result(self, sequence: int, reason: str) -> VerifyResult:
        return VerifyResult(False, sequence, reason, self._expected - 1, self._previous)


def check_chain(
    rows: Iterable[ChainedRecord],
    known_head: tuple[int, str] | None = None,
    anchors: Mapping[int, str] | None = None,
) -> VerifyResult:
    """Check a whole chain held in memory."""
    check = ChainCheck(known_head, anchors)
    for row in rows:
        if not check.add(row):
            break
    return check.result()
