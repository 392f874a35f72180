"""An XLSForm as data (questions, choice lists, settings) and as the workbook Kobo and ODK read.

Constraints are read from the API's request models (`mirror`): the pattern, bounds and lengths a
field's JSON schema states become the question's XPath constraint, so a form and the API refuse
the same shapes and cannot drift apart.

A question may offer only some of its list's choices (`choice_filter`, e.g. the provinces of the
region answered before): the `choices` sheet then has a `parent` column, each choice's parent
territory, which the filter compares (`parent = ${region}`).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from pydantic import BaseModel

from services.cases.field_forms.choices import CodeList, choices, parents

ES, EN = "Español (es)", "English (en)"
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


@dataclass(frozen=True)
class Question:
    """One row of the `survey` sheet; `es` and `en` are its label."""

    type: str
    name: str
    es: str = ""
    en: str = ""
    required: bool = False
    constraint: str = ""
    relevant: str = ""
    default: str = ""
    appearance: str = ""
    choice_filter: str = ""

    @property
    def list_name(self) -> str | None:
        kind, _, rest = self.type.partition(" ")
        return rest if kind in ("select_one", "select_multiple") else None


@dataclass(frozen=True)
class Form:
    """A form: its id (what Kobo and ODK call it), titles, questions and the code lists used."""

    form_id: str
    es: str
    en: str
    survey: tuple[Question, ...]
    lists: Mapping[str, CodeList] = field(default_factory=dict)

    def questions(self) -> dict[str, Question]:
        """The questions that hold an answer, by name (groups, repeats and metadata left out)."""
        skip = ("begin_", "end_", "start", "end", "today", "deviceid", "username", "note")
        return {q.name: q for q in self.survey if not q.type.startswith(skip)}

    def version(self) -> str:
        """Changes whenever a question or a code changes: Kobo and ODK need a new version."""
        rows = [_versioned(q) for q in self.survey]
        codes: dict[str, Any] = {name: choices(codes) for name, codes in self.lists.items()}
        if self.filtered():
            codes["parent"] = {name: parents(codes) for name, codes in self.lists.items()}
        return hashlib.sha256(json.dumps([rows, codes]).encode()).hexdigest()[:10]

    def filtered(self) -> bool:
        """Whether a question offers only some of its choices (the `parent` column is needed)."""
        return any(q.choice_filter for q in self.survey)


def _versioned(q: Question) -> list[Any]:
    """A question's fields as its form's version reads them: `choice_filter` only when set, so
    a form without one keeps the version it had before questions could have one."""
    values = list(vars(q).values())
    return values if q.choice_filter else values[:-1]


def mirror(model: type[BaseModel], name: str, *, extra: str = "") -> str:
    """The XPath constraint of `model`'s field `name`, from its JSON schema (`extra` and-ed)."""
    schema = model.model_json_schema()["properties"][name]
    shape = next((s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"), schema)
    parts = []
    if "pattern" in shape:
        parts.append(f"regex(., '{shape['pattern']}')")
    if "minLength" in shape:
        parts.append(f"string-length(.) >= {shape['minLength']}")
    if "maxLength" in shape:
        parts.append(f"string-length(.) <= {shape['maxLength']}")
    if "minimum" in shape:
        parts.append(f". >= {shape['minimum']}")
    if "maximum" in shape:
        parts.append(f". <= {shape['maximum']}")
    if "maxItems" in shape:
        parts.append(f"count-selected(.) <= {shape['maxItems']}")
    return " and ".join([*parts, *([extra] if extra else [])])


_SURVEY = ("type", "name", f"label::{ES}", f"label::{EN}", "required", "constraint",
           f"constraint_message::{ES}", f"constraint_message::{EN}", "relevant", "default",
           "appearance", "choice_filter")  # fmt: skip


def _row(q: Question) -> list[Any]:
    message = ("Respuesta no válida", "Invalid answer") if q.constraint else ("", "")
    return [
        q.type, q.name, q.es, q.en, "yes" if q.required else "", q.constraint, *message,
        q.relevant, q.default, q.appearance, q.choice_filter,
    ]  # fmt: skip


def workbook(form: Form) -> bytes:
    """The form as an XLSForm workbook (`survey`, `choices`, `settings` sheets)."""
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(list(_SURVEY))
    for question in form.survey:
        survey.append(_row(question))
    sheet = book.create_sheet("choices")
    filtered = form.filtered()
    header = ["list_name", "name", f"label::{ES}", f"label::{EN}"]
    sheet.append([*header, "parent"] if filtered else header)
    for list_name, codes in form.lists.items():
        parent = parents(codes)
        for choice in choices(codes):
            row = [list_name, choice.code, choice.es, choice.en]
            sheet.append([*row, parent.get(choice.code, "")] if filtered else row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([form.es, form.form_id, form.version(), ES])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
