"""An import job: check the whole file, then send each row not yet imported, recording each.

Rows about one person (or one case) go in file order; different people go `concurrency` at a
time. Each command carries the key `pana-import:<kind>:<row key digest>:<act>`: a job resumed
after a crash resends the rows it had not recorded, and a service that had already done one
answers with what it stored, so every row is done exactly once.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from deploy.imports import messages
from deploy.imports.acts import Act
from deploy.imports.dry_run import Checked, Row, dry_run, fill
from deploy.imports.reading import Table, read_table
from deploy.imports.sending import Refused, Sender
from deploy.imports.store import Done, JobStore
from eventkit.field_time import configured, is_late

Progress = Callable[[int, int], None]
BATCH = 32
"""Rows recorded per transaction (see `JobStore.done`)."""


class Stopped(Exception):
    """The job stopped before its end on purpose (`stop_after`): what a crash leaves behind."""


def idempotency_key(kind: str, row_key: str, act: str) -> str:
    digest = hashlib.sha256(f"{kind}\n{row_key}".encode()).hexdigest()[:40]
    return f"pana-import:{kind}:{digest}:{act}"


async def check(
    store: JobStore,
    sender: Sender | None,
    kind: str,
    name: str,
    content: bytes,
    now: datetime | None = None,
) -> tuple[Table, Checked]:
    """The dry run of a file (`Unreadable` if it is no table at all)."""
    table = read_table(name, content)
    checked = await dry_run(kind, table, now or store.clock(), store, sender)
    return table, checked


async def start(
    store: JobStore,
    sender: Sender | None,
    kind: str,
    name: str,
    content: bytes,
    uploaded_by: str,
    acting: dict[str, Any] | None = None,
    checked: Checked | None = None,
) -> tuple[uuid.UUID, Checked]:
    """A job for the file: `refused` with every error if any row has one (nothing is sent),
    else `running` (an unfinished job of the same file is resumed rather than started anew)."""
    if checked is None:
        _, checked = await check(store, sender, kind, name, content)
    digest = hashlib.sha256(content).hexdigest()
    if not checked.valid:
        job = await store.create(
            kind, name, digest, content, uploaded_by, len(checked.rows), "refused"
        )
        await store.finish(job, "refused", [asdict(e) for e in checked.errors])
        return job, checked
    unfinished = await store.unfinished(kind, digest)
    job = unfinished or await store.create(
        kind, name, digest, content, uploaded_by, len(checked.rows), acting=acting
    )
    return job, checked


async def run(
    store: JobStore,
    sender: Sender,
    job: uuid.UUID,
    checked: Checked,
    progress: Progress | None = None,
    concurrency: int = 8,
    stop_after: int | None = None,
) -> dict[str, Any]:
    """Send what is not yet imported (a row's acts not yet done: a referral's answers that came
    after its first import); the job's state at the end."""
    kind, total = checked.kind, len(checked.rows)
    before = await store.answers(kind, [row.key for row in checked.rows])
    pending = [row for row in checked.rows if _to_do(row, before.get(row.key))]
    await store.begin(job, total - len(pending))
    finished = total - len(pending)
    if progress:
        progress(finished, total)
    groups: dict[str, list[Row]] = {}
    for row in pending:
        group = row.values.get("participant_ref") or row.values.get("case_ref") or row.key
        groups.setdefault(str(group), []).append(row)
    gate = asyncio.Semaphore(concurrency)
    sent = 0
    batch: list[Done] = []

    async def flush() -> None:
        rows, batch[:] = list(batch), []
        await store.done(job, kind, rows)

    async def one_group(rows: list[Row]) -> None:
        nonlocal finished, sent
        for row in rows:
            async with gate:
                if stop_after is not None and sent >= stop_after:
                    raise Stopped(f"stopped after {stop_after} rows")
                sent += 1
                done = await _row(store, sender, job, kind, row, before.get(row.key) or {})
            if done is not None:
                batch.append(done)
                if len(batch) >= BATCH:
                    await flush()
            finished += 1
            if progress:
                progress(finished, total)

    try:
        async with asyncio.TaskGroup() as tasks:
            for rows in groups.values():
                tasks.create_task(one_group(rows))
    except* Stopped:
        raise Stopped(f"stopped after {stop_after} rows") from None  # the batch is lost: a crash
    await flush()
    await store.finish(job, "done")
    found = await store.job(job)
    assert found is not None
    return found


def _claims(role: str, ids: dict[str, Any]) -> dict[str, str]:
    """What a clinic's or a unit's token names: the provider or unit the row is about."""
    if role == "clinic":
        return {"provider_id": str(ids["provider_id"])}
    if role == "receiving_service":
        return {"unit_id": str(ids["unit_id"])}
    return {}


async def _sent_as(sender: Sender, act: Act, ids: dict[str, Any], now: datetime) -> Act:
    """Who sends the act: a unit with its own account sends the answers it gave lately, a
    clinic the care it claims within its claim window; what is older than they may record by
    `now` (the field-time rules, `eventkit.field_time`) the importing supervisor records as a
    late entry."""
    rules = configured()
    if act.by_unit is not None and await sender.answers_itself(str(ids["unit_id"])):
        return act if act.at is not None and is_late(act.at, now, rules) else act.by_unit
    if act.recorded is not None and act.at is not None and now - act.at > rules.claim_window:
        return act.recorded
    return act


def _to_do(row: Row, before: dict[str, Any] | None) -> bool:
    return before is None or bool({a.name for a in row.acts} - set(before.get("acts", [])))


async def _row(
    store: JobStore, sender: Sender, job: uuid.UUID, kind: str, row: Row, before: dict[str, Any]
) -> Done | None:
    """Send the row's acts not yet done: the row to record, or None (refused, reported)."""
    try:
        ids, after, person = await _references(store, sender, kind, row)
        ids |= before
        answer, done = dict(before), list(before.get("acts", []))
        for act in row.acts:
            if act.name in done:
                continue
            if act.name == "approve" and not ids.get("requires_approval"):
                done.append(act.name)  # not needed: under the cap
                continue
            act = await _sent_as(sender, act, ids, store.clock())
            claims = _claims(act.role, ids)
            got = await sender.post(
                act.service,
                act.path.format(**ids),
                fill(act.body, ids),
                idempotency_key(kind, row.key, act.name),
                act.role,
                after=",".join(after[-10:]) if act.service != "cases" else "",
                **claims,
            )
            for field, name in act.keeps.items():
                ids[name] = got.get(field)
            answer |= {name: got.get(field) for field, name in act.keeps.items()}
            done.append(act.name)
        answer |= {k: ids[k] for k in ("participant_id", "case_id") if k in ids}
        answer |= {"participant_ref": person, "acts": done}
        return Done(row.key, row.number, person, answer)
    except Refused as refusal:
        es, en = messages.from_service(refusal.status, refusal.detail)
        await store.refused(job, {"row": row.number, "column": "", "es": es, "en": en})
        return None


async def _references(
    store: JobStore, sender: Sender, kind: str, row: Row
) -> tuple[dict[str, Any], list[str], str | None]:
    """The ids the row's acts need, the events they wait on, the person it is about."""
    v, ids, after = row.values, {}, []
    person: str | None = v.get("participant_ref")
    if person is not None and kind != "participants":
        ids["participant_id"] = (await store.answers("participants", [person]))[person][
            "participant_id"
        ]
    if v.get("case_ref") is not None and kind != "cases":
        case = (await store.answers("cases", [v["case_ref"]]))[v["case_ref"]]
        ids |= {"case_id": case["case_id"], "participant_id": case["participant_id"]}
        person = case.get("participant_ref")
        after.append(str(case["position"]))
    if person is not None and kind in ("referrals", "vouchers"):
        after = await store.after(person) + after
    if v.get("unit"):
        ids["unit_id"] = await sender.unit(v["unit"], v["region"])
    if v.get("provider"):
        ids["provider_id"] = await sender.provider(v["provider"], v["region"])
    return ids, after, person
