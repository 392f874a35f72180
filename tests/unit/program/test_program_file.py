"""Program files load; a broken one fails naming the file, the place and the problem."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from program.load import DEFAULT_PROGRAM_FILE, PROGRAMS_DIR, ProgramError, load_program

PERU = PROGRAMS_DIR / "peru.yaml"
BALKANS = PROGRAMS_DIR / "western_balkans.yaml"


def test_peru_is_the_default_program() -> None:
    assert DEFAULT_PROGRAM_FILE == PERU


def test_peru_names_its_four_regions_and_the_reports_sexes_and_age_groups() -> None:
    peru = load_program(PERU)

    assert peru.currency == "PEN"
    assert peru.codes("territory") == {"lima_callao", "la_libertad", "piura", "tumbes"}
    assert peru.codes("sex") == {"woman", "man", "non_binary"}
    assert [band.from_age for band in peru.age_groups] == [0, 6, 12, 18, 30, 45, 60]
    assert peru.codes("population_type") == {
        "in_destination", "in_transit", "pendular", "host_community", "returnees",
    }  # fmt: skip
    assert peru.service("lodging").max_stay_days == 7
    assert peru.destination("CSMC").receives == ["age_group", "sex"]
    assert {a.code: a.sensitive for a in peru.attributes} == {
        "disability": True, "lgbtiq": True,
    }  # fmt: skip  # no coarse nationality: the ISO one every participant carries is asked once


def test_the_western_balkans_records_acts_by_municipality_of_three_countries() -> None:
    balkans = load_program(BALKANS)

    assert {t.code for t in balkans.territories.at("country")} == {"BIH", "SRB", "MNE"}
    municipalities = balkans.territories.at("municipality")
    assert {m.parent for m in municipalities} == {"BIH", "SRB", "MNE"}
    assert balkans.codes("territory") == {m.code for m in municipalities}
    assert {"roma", "egyptian"} <= balkans.codes("ethnicity")
    assert next(a for a in balkans.attributes if a.code == "ethnicity").sensitive
    kinds = {s.assistance for s in balkans.services}
    assert {"medical", "psychosocial", "legal", "education"} <= kinds


def test_every_shipped_program_file_loads() -> None:
    files = sorted(PROGRAMS_DIR.glob("*.yaml"))

    assert len(files) >= 2
    assert all(load_program(path).code for path in files)


def _broken(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> str:
    document = yaml.safe_load(PERU.read_text(encoding="utf-8"))
    edit(document)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ProgramError) as refused:
        load_program(path)
    assert str(path) in str(refused.value)
    return str(refused.value)


def test_a_duplicate_code_is_named(tmp_path: Path) -> None:
    def duplicate(doc: dict[str, Any]) -> None:
        doc["services"].append(dict(doc["services"][0]))

    assert "services: Value error, duplicate codes: ['gbv_orientation']" in _broken(
        tmp_path, duplicate
    )


def test_a_missing_label_is_named_with_the_code_it_belongs_to(tmp_path: Path) -> None:
    def unlabel(doc: dict[str, Any]) -> None:
        del doc["territories"]["units"][3]["labels"]["en"]

    assert "territories.units[tumbes].labels.en: Field required" in _broken(tmp_path, unlabel)


def test_an_unknown_parent_or_level_is_named(tmp_path: Path) -> None:
    def orphan(doc: dict[str, Any]) -> None:
        doc["territories"]["levels"].append(
            {"code": "zone", "labels": {"es": "Zona", "en": "Zone"}}
        )
        doc["territories"]["units"].append(
            {
                "code": "lima_norte",
                "level": "zone",
                "parent": "lima",
                "labels": {"es": "N", "en": "N"},
            }
        )

    # Peru's levels are region, then province: a zone below them needs a province parent.
    assert "territory 'lima_norte': parent 'lima' is not a known province" in _broken(
        tmp_path, orphan
    )


def test_a_destination_may_receive_only_the_shared_minimums_fields(tmp_path: Path) -> None:
    def overshare(doc: dict[str, Any]) -> None:
        doc["referral_destinations"][0]["receives"].append("home_address")

    assert "referral_destinations[CEM].receives[5]" in _broken(tmp_path, overshare)


def test_a_code_must_have_the_code_shape(tmp_path: Path) -> None:
    def spaced(doc: dict[str, Any]) -> None:
        doc["voucher_coverage"][0]["code"] = "lab exams"

    assert "voucher_coverage[lab exams].code: String should match pattern" in _broken(
        tmp_path, spaced
    )


def test_a_file_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "program.yaml"
    path.write_text("code: [unclosed", encoding="utf-8")

    with pytest.raises(ProgramError, match=r"program\.yaml: cannot read the program file"):
        load_program(path)
