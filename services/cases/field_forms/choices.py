"""The codes a form offers and their Spanish and English labels: the one place forms read them.

Today the codes are `contracts` enums and the labels the web app's (`web/messages/*.json`,
`code.<value>`); a code without a label shows itself, humanized. When the program file holds the
vocabulary (issue 23), only `choices` changes.
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import NamedTuple


class Choice(NamedTuple):
    code: str
    es: str
    en: str


@cache
def _messages(language: str) -> dict[str, str]:
    text = resources.files("web").joinpath("messages", f"{language}.json").read_text("utf-8")
    return dict(json.loads(text))


def choices(codes: type[StrEnum]) -> list[Choice]:
    """Every code of `codes`, in declaration order, with its labels."""
    es, en = _messages("es"), _messages("en")

    def label(messages: dict[str, str], code: str) -> str:
        return messages.get(f"code.{code}") or code.replace("_", " ").capitalize()

    return [Choice(c.value, label(es, c.value), label(en, c.value)) for c in codes]
