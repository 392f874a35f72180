"""What the unit tests share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from program.load import PROGRAMS_DIR, current_program


@pytest.fixture
def balkans(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The Western Balkans program file in force for one test (read afresh on both sides)."""
    monkeypatch.setenv("PANA_PROGRAM_FILE", str(PROGRAMS_DIR / "western_balkans.yaml"))
    current_program.cache_clear()
    yield
    monkeypatch.undo()
    current_program.cache_clear()


THREE_BANDS = [
    {"code": "children", "from": 0,
     "labels": {"es": "Niñas, niños y adolescentes", "en": "Children and adolescents"}},
    {"code": "adults", "from": 18, "labels": {"es": "Personas adultas", "en": "Adults"}},
    {"code": "older_people", "from": 60,
     "labels": {"es": "Personas mayores", "en": "Older people"}},
]  # fmt: skip
"""Age groups other than the reports' seven: 0-17, 18-59, 60 and over."""


def program_file(tmp_path: Path, **changes: Any) -> Path:
    """Peru's program file with some of its sections replaced (written under `tmp_path`)."""
    document = yaml.safe_load((PROGRAMS_DIR / "peru.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "program.yaml"
    path.write_text(yaml.safe_dump({**document, **changes}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def three_bands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Peru's program with two sexes (woman, man) and the age groups 0-17, 18-59 and 60+."""
    sexes = [
        {"code": "woman", "labels": {"es": "Mujer", "en": "Woman"}},
        {"code": "man", "labels": {"es": "Hombre", "en": "Man"}},
    ]
    path = program_file(tmp_path, sexes=sexes, age_groups=THREE_BANDS)
    monkeypatch.setenv("PANA_PROGRAM_FILE", str(path))
    current_program.cache_clear()
    yield
    monkeypatch.undo()
    current_program.cache_clear()
