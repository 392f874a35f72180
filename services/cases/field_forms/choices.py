"""The codes a form offers and their Spanish and English labels: the one place forms read them.

The program's own vocabulary (territories, services, referral destinations: `ProgramList`) comes
with its labels from the deployment's program file (`program`, issue 23). The domain's fixed
lists are `contracts` enums labelled by the web app's catalogs (`web/messages/*.json`,
`code.<value>`); a code without a label shows itself, humanized.
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import NamedTuple

from program.load import current_program


class Choice(NamedTuple):
    code: str
    es: str
    en: str


@cache
def _messages(language: str) -> dict[str, str]:
    text = resources.files("web").joinpath("messages", f"{language}.json").read_text("utf-8")
    return dict(json.loads(text))


class ProgramList(NamedTuple):
    """A vocabulary of the program file (`Program.ordered` names: territory, service, ...)."""

    vocabulary: str


CodeList = type[StrEnum] | ProgramList


def choices(codes: CodeList) -> list[Choice]:
    """Every code of `codes`, in declaration (or program file) order, with its labels."""
    if isinstance(codes, ProgramList):
        return [
            Choice(term.code, term.labels.es, term.labels.en)
            for term in current_program().terms(codes.vocabulary)
        ]
    es, en = _messages("es"), _messages("en")

    def label(messages: dict[str, str], code: str) -> str:
        return messages.get(f"code.{code}") or code.replace("_", " ").capitalize()

    return [Choice(c.value, label(es, c.value), label(en, c.value)) for c in codes]


def parents(codes: CodeList) -> dict[str, str]:
    """Each code's parent territory, for the territories that lie inside one (a province: its
    region); what a question's `choice_filter` compares."""
    if not isinstance(codes, ProgramList):
        return {}
    return {
        term.code: parent
        for term in current_program().terms(codes.vocabulary)
        if (parent := getattr(term, "parent", None))
    }
