"""RELIABILITY.md: what a run did and found, written only from the figures it produced."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reliability.profile import Profile

REPORT_VARIABLE = "PANA_RELIABILITY_REPORT"
FORMS = {
    "short": "the short form, the one `make test` runs (`pytest tests/reliability`)",
    "soak": "the soak, the long form (`make soak`, i.e. `python -m reliability --soak`)",
}


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)

    def line(self, text: str) -> None:
        self.lines.append(text)

    def figure(self, name: str, value: object) -> None:
        self.rows.append((name, str(value)))

    def markdown(self) -> str:
        out = [f"## {self.title}", ""]
        if self.lines:
            out += [*self.lines, ""]
        if self.rows:
            out += ["| what | figure |", "| --- | --- |"]
            out += [f"| {name} | {value} |" for name, value in self.rows]
            out.append("")
        return "\n".join(out)


@dataclass
class Report:
    """Sections in the order the tests finished; `write` renders them."""

    profile: Profile
    command: str
    sections: list[Section] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    passed: int = 0  # tests of the run that passed, and those that failed (by node id)
    failed: list[str] = field(default_factory=list)

    def section(self, title: str) -> Section:
        made = Section(title)
        self.sections.append(made)
        return made

    def markdown(self) -> str:
        seconds = (datetime.now(UTC) - self.started).total_seconds()
        p = self.profile
        head = [
            "# Reliability report",
            "",
            "Written by the reliability suite (`tests/reliability`, `reliability/`) at the end of",
            "its last run; every figure below was measured in that run. Issue 11.",
            "",
            f"- form: **{self.profile.name}**, {FORMS.get(self.profile.name, 'a custom profile')}",
            f"- run: `{self.command}`, started {self.started:%Y-%m-%d %H:%M} UTC, {seconds:.0f} s",
            f"- sizes: {p.clients} clients of the steady load, {p.phase_seconds:.0f} s of load "
            f"before, between and after faults, {p.fault_rounds} round(s) of the fault sequence, "
            f"{p.race_rounds} rounds of each race, {p.hostile_examples} generated example(s) per "
            "operation and role",
            f"- machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}",
            f"- tests: {self.passed} passed, {len(self.failed)} failed"
            + (": " + ", ".join(f"`{name}`" for name in self.failed) if self.failed else ""),
            f"- sections: {len(self.sections)} (a section is written once its figures are "
            "measured, before the tests judge them: read it with the test results above)",
            "",
        ]
        return "\n".join(head + [s.markdown() for s in self.sections])

    def write(self, path: Path) -> Path:
        target = Path(os.environ.get(REPORT_VARIABLE, path))
        target.write_text(self.markdown())
        return target
