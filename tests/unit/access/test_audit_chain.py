"""The hash chain, without a database: what each kind of tampering looks like."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from access.audit_chain import (
    GENESIS_HASH,
    AuditRecord,
    ChainedRecord,
    check_chain,
    record_hash,
)

T0 = datetime(2022, 6, 1, 12, tzinfo=UTC)


def chain(n: int) -> list[ChainedRecord]:
    rows, previous = [], GENESIS_HASH
    for sequence in range(1, n + 1):
        record = AuditRecord("u", "ngo", "caseworker", "case.open", "case", f"c-{sequence}", "ok")
        at = T0 + timedelta(seconds=sequence)
        digest = record_hash(sequence, at, record, previous)
        rows.append(ChainedRecord(sequence, at, record, previous, digest))
        previous = digest
    return rows


def test_an_intact_chain_reports_its_head() -> None:
    rows = chain(4)
    result = check_chain(rows)
    assert (result.ok, result.records, result.head_hash) == (True, 4, rows[-1].hash)
    assert check_chain([]).ok


def test_the_hash_covers_every_field_and_the_previous_hash() -> None:
    row = chain(1)[0]
    base = record_hash(row.sequence, row.recorded_at, row.record, row.previous_hash)
    assert base == row.hash
    assert record_hash(2, row.recorded_at, row.record, row.previous_hash) != base
    later = row.recorded_at + timedelta(microseconds=1)
    assert record_hash(1, later, row.record, row.previous_hash) != base
    assert record_hash(1, row.recorded_at, row.record, "f" * 64) != base
    for field in ("actor_subject", "action", "resource_id", "outcome", "purpose"):
        changed = replace(row.record, **{field: "x"})
        assert record_hash(1, row.recorded_at, changed, row.previous_hash) != base


def test_the_hash_of_a_record_never_changes_form() -> None:
    # Chains written by earlier releases must keep verifying: these digests were computed by
    # the first form of `record_hash` (over `dataclasses.asdict`), before it stopped copying.
    at = datetime(2026, 11, 22, 20, 30, 1, 123456, tzinfo=UTC)
    done = AuditRecord("sub-1", "ngo", "clinic", "voucher.redeem", "voucher", "v-1", "done")
    with_purpose = replace(done, purpose="break-glass: urgencia médica")
    assert record_hash(1, at, done, GENESIS_HASH) == (
        "f69272a4f5ccb0cd6681bd6f20236885083de513c9a321b6f4b280142ef739dd"
    )
    assert record_hash(7, at, with_purpose, GENESIS_HASH) == (
        "74034bd02d576063aaaa685a9ba81ca61d6e6f27b9d3a21ab225206b9c42a2ff"
    )
    assert with_purpose.values() == (
        "sub-1", "ngo", "clinic", "voucher.redeem", "voucher", "v-1", "done",
        "break-glass: urgencia médica",
    )  # fmt: skip


def test_the_same_instant_hashes_alike_in_any_timezone() -> None:
    row = chain(1)[0]
    lima = row.recorded_at.astimezone(timezone(timedelta(hours=-5)))
    assert record_hash(1, lima, row.record, row.previous_hash) == row.hash


def test_a_modified_record() -> None:
    rows = chain(5)
    rows[2] = replace(rows[2], record=replace(rows[2].record, outcome="denied"))
    result = check_chain(rows)
    assert (result.ok, result.first_bad_sequence) == (False, 3)
    assert result.reason == "record 3 does not match its hash: it was modified"


def test_a_modified_record_with_a_recomputed_hash_breaks_the_next_link() -> None:
    rows = chain(5)
    forged = replace(rows[2].record, outcome="denied")
    digest = record_hash(3, rows[2].recorded_at, forged, rows[2].previous_hash)
    rows[2] = replace(rows[2], record=forged, hash=digest)
    result = check_chain(rows)
    assert (result.first_bad_sequence, result.reason) == (4, "record 4 does not link to record 3")


def test_a_deleted_record() -> None:
    rows = chain(5)
    del rows[1]
    result = check_chain(rows)
    assert (result.first_bad_sequence, result.reason) == (
        2,
        "record 2 is missing (the next record is 3)",
    )


def test_reordered_records() -> None:
    rows = chain(5)
    third, fourth = rows[2], rows[3]
    rows[2], rows[3] = replace(fourth, sequence=3), replace(third, sequence=4)
    result = check_chain(rows)
    assert (result.first_bad_sequence, result.reason) == (3, "record 3 does not link to record 2")


def test_records_removed_from_the_end_need_a_known_head() -> None:
    rows = chain(5)
    head = (5, rows[-1].hash)
    assert check_chain(rows[:3]).ok  # the chain alone cannot tell
    result = check_chain(rows[:3], known_head=head)
    assert (result.ok, result.first_bad_sequence, result.reason) == (
        False,
        4,
        "records 4..5 are missing",
    )
    assert check_chain(rows, known_head=head).ok
    assert not check_chain(rows, known_head=(5, "0" * 64)).ok
