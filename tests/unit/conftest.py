"""What the unit tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from program.load import PROGRAMS_DIR, current_program


@pytest.fixture
def balkans(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The Western Balkans program file in force for one test (read afresh on both sides)."""
    monkeypatch.setenv("PANA_PROGRAM_FILE", str(PROGRAMS_DIR / "western_balkans.yaml"))
    current_program.cache_clear()
    yield
    monkeypatch.undo()
    current_program.cache_clear()
