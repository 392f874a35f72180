"""The service layer of the review queue: submissions that could not be applied, kept with
their reason until a supervisor corrects and re-applies them, or discards them. Nothing leaves
it silently: each decision is audited, and the answers are shredded once decided."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from access.principal import Principal
from access.settings import PersonalDataKeys
from eventkit.decider import RefusalKind, Refused
from eventkit.idempotency import Answer
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
) -> Answer:
    """Apply the corrected answers as the supervisor; refused as the API would refuse them
    (nothing changes: the submission stays in review with its first answers)."""
    row = await in_review(conn, instance_id)
    answers = {**await intake.unseal(conn, keys, instance_id, row["sealed"]), **corrections}
    at = row["filled_at"] or now
    done = await intake.apply(conn, keys, row["form_id"], answers, principal, at, now,
                              instance_id)  # fmt: skip
    decided = await conn.fetchrow(
        "UPDATE field_submissions SET status = 'applied', answer = $2, sealed = NULL,"
        " rule = NULL, reason = NULL, decided_at = $3, decided_by = $4"
        " WHERE instance_id = $1 RETURNING *",
        instance_id, done, now, principal.subject,
    )  # fmt: skip
    await intake.shred(conn, keys, instance_id)
    await audit(conn, principal, "field_submission.apply", ("field_submission", instance_id))
    return Answer(200, intake.outcome(decided))


async def discard(
    conn: Connection,
    keys: PersonalDataKeys,
    instance_id: str,
    reason: str,
    principal: Principal,
    now: datetime,
) -> Answer:
    """Drop the submission for good; its reason stays, its answers are shredded."""
    await in_review(conn, instance_id)
    decided = await conn.fetchrow(
        "UPDATE field_submissions SET status = 'discarded', sealed = NULL, rule = 'discarded',"
        " reason = $2, decided_at = $3, decided_by = $4 WHERE instance_id = $1 RETURNING *",
        instance_id, reason, now, principal.subject,
    )  # fmt: skip
    await intake.shred(conn, keys, instance_id)
    await audit(
        conn, principal, "field_submission.discard", ("field_submission", instance_id), reason
    )
    return Answer(200, intake.outcome(decided))
