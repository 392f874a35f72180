"""Reading a program file: YAML validated into a `Program`, with errors a deployer can act on.

The deployment's program is chosen by `PANA_PROGRAM_FILE` (a path; default: Peru's program, the
one this platform was built for) and read once per process: each service reads it at start-up,
so a typo in a program file stops the service with the file, the place and the problem named.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from program.model import Program

PROGRAMS_DIR = Path(__file__).parent / "programs"
DEFAULT_PROGRAM_FILE = PROGRAMS_DIR / "peru.yaml"


class ProgramError(ValueError):
    """A program file that can't be used: the message names the file, the place and the problem."""


class ProgramSettings(BaseSettings):
    """`PANA_PROGRAM_FILE`: the program file this deployment runs."""

    model_config = SettingsConfigDict(env_prefix="PANA_", extra="ignore")

    program_file: Path = DEFAULT_PROGRAM_FILE


def load_program(path: Path) -> Program:
    """Read and validate one program file; raise `ProgramError` naming each problem's place."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ProgramError(f"{path}: cannot read the program file: {error}") from error
    try:
        return Program.model_validate(document)
    except ValidationError as error:
        problems = [
            f"{path}: {_place(document, problem['loc'])}: {problem['msg']}"
            for problem in error.errors()
        ]
        raise ProgramError("\n".join(problems)) from None


def _place(document: Any, loc: tuple[int | str, ...]) -> str:
    """Where a problem is, e.g. `territories.units[north].labels`: list items by their code."""
    parts: list[str] = []
    node = document
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            code = node.get("code") if isinstance(node, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{code if code is not None else part}]"]
            continue
        parts.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts) or "(top)"


@cache
def current_program() -> Program:
    """The deployment's program (`PANA_PROGRAM_FILE`), read once per process."""
    return load_program(ProgramSettings().program_file)
