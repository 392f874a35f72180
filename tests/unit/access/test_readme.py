"""The README's policy table is the policy in the code."""

from __future__ import annotations

from pathlib import Path

from access.policy import policy_table

README = Path(__file__).parents[3] / "access" / "README.md"


def test_the_readme_prints_the_policy_of_the_code() -> None:
    assert policy_table() in README.read_text()
