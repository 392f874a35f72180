"""The web labels a program's own codes (regions, services, destinations) from its program file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from program.load import PROGRAMS_DIR, current_program
from web import i18n


@pytest.fixture
def balkans(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PANA_PROGRAM_FILE", str(PROGRAMS_DIR / "western_balkans.yaml"))
    current_program.cache_clear()
    i18n.catalog.cache_clear()
    yield
    current_program.cache_clear()
    i18n.catalog.cache_clear()


def test_peru_s_codes_keep_their_labels() -> None:
    assert i18n.translate("es", "code.lima_callao") == "Lima y Callao"
    assert i18n.translate("en", "code.CEM") == "CEM (women's emergency centre)"


@pytest.mark.usefixtures("balkans")
def test_another_program_s_codes_are_labelled_without_editing_the_catalogs() -> None:
    assert i18n.translate("en", "code.rs_nis") == "Niš"
    assert i18n.translate("es", "code.GBV_SHELTER") == "Refugio para sobrevivientes de VBG"
    assert i18n.translate("en", "code.srmh_counselling").startswith("Sexual, reproductive")
