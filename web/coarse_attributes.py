"""What the registration page asks beyond identity: the program's population type and each of its
coarse attributes (ethnicity, disability...), one optional select each, labelled by the program
file in the page's language; and the answers as the cases service's `population_type` and
`attributes`.

Read from the running program at each request, not at import as `web.vocabulary` is, since the
questions are the program's own (another program asks others, with no catalog edit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from program.load import current_program
from program.model import Term
from web.i18n import DEFAULT, LANGUAGES, translate

POPULATION_TYPE = "population_type"
ATTRIBUTE = "attribute_"
"""The prefix of an attribute's form field (`attribute_ethnicity`)."""


@dataclass(frozen=True)
class Question:
    field: str
    label: str
    sensitive: bool
    """Answering is voluntary and the page says so (the program file's `sensitive: true`)."""
    options: list[tuple[str, str]]
    """Code and label, in the program file's order."""


def _options(terms: list[Term], language: str) -> list[tuple[str, str]]:
    return [(term.code, getattr(term.labels, language)) for term in terms]


def questions(language: str) -> list[Question]:
    """The population type (when the program lists any), then each attribute, in file order."""
    language = language if language in LANGUAGES else DEFAULT
    program = current_program()
    asked = [
        Question(
            f"{ATTRIBUTE}{attribute.code}",
            getattr(attribute.labels, language),
            attribute.sensitive,
            _options(attribute.values, language),
        )
        for attribute in program.attributes
    ]
    if program.population_types:
        label = translate(language, "person.population_type")
        types = _options(program.population_types, language)
        asked.insert(0, Question(POPULATION_TYPE, label, False, types))
    return asked


def answers(form: Mapping[str, Any]) -> dict[str, Any]:
    """The questions answered as registration body fields; unanswered ones are left out, and a
    value is sent as chosen for the service to judge against the program."""
    body: dict[str, Any] = {}
    population_type = str(form.get(POPULATION_TYPE) or "").strip()
    if population_type:
        body["population_type"] = population_type
    attributes = {
        attribute.code: value
        for attribute in current_program().attributes
        if (value := str(form.get(f"{ATTRIBUTE}{attribute.code}") or "").strip())
    }
    if attributes:
        body["attributes"] = attributes
    return body
