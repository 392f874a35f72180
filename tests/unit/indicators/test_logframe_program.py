"""Logframes are checked against the deployment's program file at load, not against code."""

from pathlib import Path

import pytest

from services.indicators.logframe import DEFAULT_DIRECTORY, load_directory, load_logframe

SRMH = """
key: roma_women_y1
program: Roma women, Western Balkans
title: t
period: {start: 2024-01-01, end: 2024-12-31}
indicators:
  - id: O2.1
    title: women who received sexual, reproductive and maternal health services
    target: 5000
    region_targets: {rs_nis: 400}
    requires:
      - name: an SRMH service
        any_of:
          - {event: service.delivered, where: {service_type: [srmh_counselling]}}
          - {event: referral.completed, where: {destination: [PRIMARY_HEALTH]}}
"""


def test_a_misspelt_destination_code_fails_at_load(tmp_path: Path) -> None:
    source = (DEFAULT_DIRECTORY / "pana_peru_2022_2023_y2.yaml").read_text()
    broken = source.replace("destination: [SIS,", "destination: [SIZ,")
    assert broken != source
    (tmp_path / "broken.yaml").write_text(broken)

    with pytest.raises(ValueError, match=r"broken\.yaml") as failure:
        load_logframe(tmp_path / "broken.yaml")
    assert "referral.requested.destination: ['SIZ'] not in the program's" in str(failure.value)


@pytest.mark.usefixtures("balkans")
def test_another_programs_logframe_loads_with_its_program_and_peru_s_does_not(
    tmp_path: Path,
) -> None:
    (tmp_path / "roma.yaml").write_text(SRMH)

    assert load_logframe(tmp_path / "roma.yaml").indicators[0].region_targets == {"rs_nis": 400}
    with pytest.raises(ValueError, match="not in the program's"):
        load_directory()


def test_the_same_logframe_fails_under_peru_s_program(tmp_path: Path) -> None:
    (tmp_path / "roma.yaml").write_text(SRMH)

    with pytest.raises(ValueError, match=r"\['srmh_counselling'\] not in the program's"):
        load_logframe(tmp_path / "roma.yaml")
