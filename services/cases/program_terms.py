"""A program's code the deciders look up (a case type, a livelihood outcome): one refusal for a
code the running program lacks, naming it and listing the program's codes."""

from __future__ import annotations

from eventkit.decider import RefusalKind, Refused
from program.load import current_program


def unknown(vocabulary: str, code: str) -> Refused:
    """The refusal of `code`, not in the program's `vocabulary` (`unknown_{vocabulary}`)."""
    known = ", ".join(current_program().ordered(vocabulary))
    return Refused(
        f"unknown_{vocabulary}",
        f"unknown {vocabulary} code {code!r}; the program's: {known}",
        RefusalKind.INVALID,
    )
