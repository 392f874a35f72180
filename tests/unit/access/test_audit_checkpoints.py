"""Signed checkpoints catch what the public hash cannot: a history rewritten with every hash
recomputed (issue 20, point 6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from access.audit_chain import GENESIS_HASH, ChainedRecord, check_chain, record_hash
from access.audit_checkpoints import anchors, keygen, load, load_private, load_public, sign, store
from tests.unit.access.test_audit_chain import chain

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


def rewritten(rows: list[ChainedRecord], at: int) -> list[ChainedRecord]:
    """Change record `at` and recompute every hash from there, as a database superuser can."""
    out, previous = list(rows[: at - 1]), rows[at - 2].hash if at > 1 else GENESIS_HASH
    for row in rows[at - 1 :]:
        record = replace(row.record, outcome="denied") if row.sequence == at else row.record
        digest = record_hash(row.sequence, row.recorded_at, record, previous)
        out.append(ChainedRecord(row.sequence, row.recorded_at, record, previous, digest))
        previous = digest
    return out


def test_a_rewritten_history_passes_the_hash_but_not_the_checkpoint(tmp_path: Path) -> None:
    private, public = keygen(tmp_path)
    assert private.stat().st_mode & 0o777 == 0o600
    rows = chain(6)
    path = tmp_path / "cases.jsonl"
    store(path, sign(load_private(private), "cases", 4, rows[3].hash, NOW))
    signed = anchors(load(path), load_public(public), "cases")
    assert check_chain(rows, anchors=signed).ok

    forged = rewritten(rows, 2)
    assert check_chain(forged).ok  # the public hash alone cannot tell
    result = check_chain(forged, anchors=signed)
    assert (result.ok, result.first_bad_sequence) == (False, 4)
    assert result.reason == "record 4 is not the one the auditor signed: the history was rewritten"

    shortened = check_chain(rows[:3], anchors=signed)
    assert (shortened.ok, shortened.reason) == (
        False,
        "records 4..4 are missing (signed by the auditor)",
    )


def test_a_checkpoint_not_signed_by_the_auditor_is_refused(tmp_path: Path) -> None:
    _, public = keygen(tmp_path / "auditor")
    other, _ = keygen(tmp_path / "someone-else")
    forged = sign(load_private(other), "cases", 4, "a" * 64, NOW)
    with pytest.raises(ValueError, match="does not carry the auditor's signature"):
        anchors([forged], load_public(public), "cases")
    genuine = sign(
        load_private(tmp_path / "auditor" / "auditor-key.pem"), "cases", 4, "a" * 64, NOW
    )
    moved = replace(genuine, head_hash="b" * 64)  # the signed head edited afterwards
    with pytest.raises(ValueError, match="does not carry the auditor's signature"):
        anchors([moved], load_public(public), "cases")
    with pytest.raises(ValueError, match="a checkpoint of cases among vouchers'"):
        anchors([genuine], load_public(public), "vouchers")


def test_an_auditor_key_is_never_overwritten(tmp_path: Path) -> None:
    keygen(tmp_path)
    with pytest.raises(FileExistsError):
        keygen(tmp_path)
