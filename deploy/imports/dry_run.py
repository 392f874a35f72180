"""Every row checked before anything is written: cells, keys, references, the services' bodies.

The references a row names (a participant's, a case's reference) must be rows already imported
(`Refs`); units and providers must be in the directories (`Directory`). The bodies are checked
with the services' own request models, so a row that passes here fails at the service only for
a rule of the domain (a case without consent, a voucher over budget), reported when sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError

from deploy.imports import messages
from deploy.imports.acts import Act, acts
from deploy.imports.checking import header_errors, read_row, row_key
from deploy.imports.kinds import KINDS
from deploy.imports.messages import RowError
from deploy.imports.reading import Table
from program.load import current_program

REFERS = {"participant_ref": "participants", "case_ref": "cases"}
"""Which column names a row of which kind; a kind's own key column is not a reference."""


class Refs(Protocol):
    """Rows already imported, by kind and row key (their stored answers)."""

    async def answers(self, kind: str, keys: list[str]) -> dict[str, dict[str, Any]]: ...


class Directory(Protocol):
    """The receiving units and providers, by name or id (None: not found in that region)."""

    async def unit(self, name: str, region: str) -> str | None: ...
    async def provider(self, name: str, region: str) -> str | None: ...


@dataclass
class Row:
    number: int
    key: str
    values: dict[str, Any]
    acts: list[Act]


@dataclass
class Checked:
    kind: str
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


_FILLER = {
    "participant_id": str(uuid.UUID(int=1)),
    "case_id": str(uuid.UUID(int=2)),
    "unit_id": str(uuid.UUID(int=3)),
    "provider_id": str(uuid.UUID(int=4)),
    "referral_id": str(uuid.UUID(int=5)),
    "voucher_id": str(uuid.UUID(int=6)),
    "code": "XXXX-XXXX-XXX",
}


def fill(value: Any, ids: dict[str, Any]) -> Any:
    """`value` with its `{placeholders}` replaced by `ids`."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


async def dry_run(
    kind_name: str, table: Table, now: datetime, refs: Refs, directory: Directory | None = None
) -> Checked:
    """The rows and every error of the file; nothing is sent or stored."""
    kind = KINDS[kind_name]
    checked = Checked(kind_name, errors=header_errors(kind, table.header))
    seen: dict[str, int] = {}
    for number, raw in table.rows:
        values, errors = read_row(kind, number, raw, now)
        key = row_key(kind, values)
        if not errors and key in seen:
            errors.append(RowError(number, kind.key[0], *messages.repeated(seen[key])))
        seen.setdefault(key, number)
        planned: list[Act] = []
        if not errors:
            errors += _rules(kind_name, number, values)
        if not errors:
            planned = acts(kind_name, values)
            errors += _bodies(number, planned)
        checked.errors += errors
        checked.rows.append(Row(number, key, values, planned))
    checked.errors += await _references(checked, refs, directory)
    checked.errors.sort(key=lambda e: (e.row, e.column))
    return checked


def _rules(kind: str, number: int, v: dict[str, Any]) -> list[RowError]:
    """What a row needs beyond its cells, that no single request model can see."""
    errors = []
    if kind == "vouchers" and v["redeemed_on"] is not None and v["provider"] is None:
        errors.append(
            RowError(
                number,
                "provider",
                "un vale canjeado necesita su proveedor",
                "a redeemed voucher needs its provider",
            )
        )
    if kind == "referrals" and v["completed_on"] is not None and v["accepted_on"] is None:
        errors.append(
            RowError(
                number,
                "accepted_on",
                "una atención completada necesita la fecha de aceptación",
                "a completed referral needs its acceptance date",
            )
        )
    return errors + _province(number, v)


def _province(number: int, v: dict[str, Any]) -> list[RowError]:
    """A row's province (admin2) must lie inside its own region, as the owning service will
    check (`eventkit/admin2.py`); a services row has no region (its case's, known only to the
    cases service, which refuses it when sent)."""
    admin2, region = v.get("admin2"), v.get("region")
    if admin2 is None or region is None or current_program().admin2_within(admin2, region):
        return []
    return [RowError(number, "admin2", *messages.admin2_outside(admin2, region))]


def _bodies(number: int, planned: list[Act]) -> list[RowError]:
    errors = []
    for act in planned:
        try:
            act.model.model_validate(fill(act.body, _FILLER))
        except ValidationError as invalid:
            for error in invalid.errors():
                where = ".".join(str(part) for part in error["loc"])
                column = act.columns.get(where, where.removeprefix("shared.").split(".")[0])
                errors.append(RowError(number, column, *messages.from_validation(dict(error))))
    return errors


async def _references(checked: Checked, refs: Refs, directory: Directory | None) -> list[RowError]:
    errors: list[RowError] = []
    rows = [row for row in checked.rows if row.acts]
    for column, kind in REFERS.items():
        if column not in KINDS[checked.kind].names or kind == checked.kind:
            continue
        wanted = sorted({row.values[column] for row in rows})
        known = await refs.answers(kind, wanted)
        errors += [
            RowError(row.number, column, *messages.unknown_ref(column, row.values[column], kind))
            for row in rows
            if row.values[column] not in known
        ]
    if directory is None:
        return errors
    for row in rows:
        for column, find in (("unit", directory.unit), ("provider", directory.provider)):
            name = row.values.get(column)
            if name and await find(name, row.values["region"]) is None:
                errors.append(
                    RowError(
                        row.number,
                        column,
                        f"'{name}' no está en el directorio de la región {row.values['region']}",
                        f"'{name}' is not in the directory of region {row.values['region']}",
                    )
                )
    return errors
