"""The service layer of the review queue: submissions that could not be applied, kept with
their reason until a supervisor corrects and re-applies them, or discards them. Nothing leaves
it silently: each decision is audited, and the answers are shredded once decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from access.principal import Principal
from access.settings import PersonalDataKeys
from eventkit.decider import RefusalKind, Refused
from eventkit.store import Connection
from services.cases.audit import audit
from services.cases.field_forms import intake_commands as intake
from services.cases.field_forms.queries import described


async def in_review(conn: Connection, instance_id: str) -> Any:
    """The submission's row, locked; refused unless it waits in review."""
    row = await conn.fetchrow(
        "SELECT * FROM field_submissions WHERE instance_id = $1 FOR UPDATE", instance_id
    )
    if row is None:
        raise Refused("submission_not_found", "no such submission", RefusalKind.NOT_FOUND)
    if row["status"] != "review":
        raise Refused(
            "submission_decided", f"the submission was already {row['status']}",
            RefusalKind.CONFLICT,
        )  # fmt: skip
    return row


async def read(
    conn: Connection, keys: PersonalDataKeys, instance_id: str, principal: Principal
) -> dict[str, Any]:
    """The submission in review with its answers opened (an audited read of personal data)."""
    row = await in_review(conn, instance_id)
    answers = await intake.unseal(conn, keys, instance_id, row["sealed"])
    await audit(conn, principal, "field_submission.read", ("field_submission", instance_id))
    return {**described(row), "answers": answers}


async def reapply(
    conn: Connection,
    keys: PersonalDataKeys,
    instance_id: str,
    corrections: dict[str, Any],
    principal: Principal,
    now: datetime,
) -> dict[str, Any]:
    """Apply the corrected answers as the supervisor; refused as the API would refuse them
    (nothing changes: the submission stays in review with its first answers). Its outcome."""
    row = await in_review(conn, instance_id)
    answers = {**await intake.unseal(conn, keys, instance_id, row["sealed"]), **corrections}
    at = row["filled_at"] or now
    done = await intake.apply(conn, keys, row["form_id"], answers, principal, at, now,
                              instance_id)  # fmt: skip
    decision = Decision("field_submission.apply", _APPLIED, done)
    return await _decided(conn, keys, instance_id, principal, now, decision)


async def discard(
    conn: Connection,
    keys: PersonalDataKeys,
    instance_id: str,
    reason: str,
    principal: Principal,
    now: datetime,
) -> dict[str, Any]:
    """Drop the submission for good; its reason stays, its answers are shredded. Its outcome."""
    await in_review(conn, instance_id)
    decision = Decision("field_submission.discard", _DISCARDED, reason, purpose=reason)
    return await _decided(conn, keys, instance_id, principal, now, decision)


_APPLIED = (
    "UPDATE field_submissions SET status = 'applied', answer = $4, rule = NULL, reason = NULL,"
    " sealed = NULL, decided_at = $2, decided_by = $3 WHERE instance_id = $1 RETURNING *"
)
_DISCARDED = (
    "UPDATE field_submissions SET status = 'discarded', rule = 'discarded', reason = $4,"
    " sealed = NULL, decided_at = $2, decided_by = $3 WHERE instance_id = $1 RETURNING *"
)


@dataclass(frozen=True)
class Decision:
    """What a supervisor decided: the audited action, the row's update (`$4`: `value`)."""

    action: str
    update: str
    value: object
    purpose: str | None = None


async def _decided(
    conn: Connection, keys: PersonalDataKeys, instance_id: str, principal: Principal,
    now: datetime, decision: Decision,
) -> dict[str, Any]:  # fmt: skip
    """Record the decision with who and when, shred the answers, audit it: the outcome."""
    decided = await conn.fetchrow(
        decision.update, instance_id, now, principal.subject, decision.value
    )
    await intake.shred(conn, keys, instance_id, now)
    resource = ("field_submission", instance_id)
    await audit(conn, principal, decision.action, resource, decision.purpose)
    return intake.outcome(decided)
