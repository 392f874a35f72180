"""Each cell read by its column's type and code list; every problem kept, none fatal.

A date without a time means midday in the program's time zone (its program file's `timezone`),
so the act falls on the day written whatever the server's zone; today's, before midday, means
now (an act cannot be dated in the future). A time without a zone is the
program's time too.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from deploy.imports import messages
from deploy.imports.codes import codes
from deploy.imports.kinds import Column, Kind
from deploy.imports.messages import RowError
from program.load import current_program

CLOCK_ALLOWANCE = timedelta(minutes=5)


def _zone() -> ZoneInfo:
    """The program's time zone: where a written day is a day."""
    return ZoneInfo(current_program().timezone)


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YES, _NO = {"si", "sí", "yes", "true", "1", "x"}, {"no", "false", "0"}


def header_errors(kind: Kind, header: list[str]) -> list[RowError]:
    """Columns the kind does not have, and required columns the file lacks (row 1)."""
    errors = [
        RowError(1, name, *messages.unknown_column(name))
        for name in header
        if name not in kind.names
    ]
    errors += [
        RowError(1, c.name, *messages.missing_column(c.name))
        for c in kind.columns
        if c.required and c.name not in header
    ]
    return errors


def read_row(
    kind: Kind, number: int, raw: dict[str, str], now: datetime
) -> tuple[dict[str, Any], list[RowError]]:
    """The row's values by column (None when blank), and its cells' errors."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for column in kind.columns:
        text = raw.get(column.name, "").strip()
        if not text:
            values[column.name] = None
            if column.required:
                errors.append(RowError(number, column.name, *messages.required()))
            continue
        try:
            values[column.name] = _value(column, text, now)
        except _Bad as bad:
            errors.append(RowError(number, column.name, bad.es, bad.en))
    return values, errors


def row_key(kind: Kind, values: dict[str, Any]) -> str:
    """The row's identity in the program's records: its key columns' values, joined."""
    return "|".join(_key_part(values.get(name)) for name in kind.key)


def _key_part(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, list):
        return ";".join(sorted(str(v) for v in value))
    return str(value)


class _Bad(Exception):
    def __init__(self, pair: tuple[str, str]) -> None:
        super().__init__(pair[1])
        self.es, self.en = pair


def _value(column: Column, text: str, now: datetime) -> Any:
    if column.value == "list":
        return [_code(column, part.strip()) for part in re.split(r"[;,]", text) if part.strip()]
    if column.codes is not None:
        return _code(column, text)
    if column.value == "int":
        if not re.fullmatch(r"-?\d{1,9}", text):
            raise _Bad(messages.not_a(text, "un número entero", "a whole number"))
        return int(text)
    if column.value == "money":
        return _money(text)
    if column.value == "bool":
        if text.lower() in _YES:
            return True
        if text.lower() in _NO:
            return False
        raise _Bad(messages.not_a(text, "si o no", "yes or no"))
    if column.value == "date":
        moment = _moment(text, now)
        if column.name.endswith("_on") and moment > now + CLOCK_ALLOWANCE:
            raise _Bad(messages.in_the_future(text))
        return moment
    if column.value == "ref" and len(text) > 80:
        raise _Bad(
            messages.not_a(
                text[:20] + "...",
                "un código (80 caracteres o menos)",
                "a reference (80 characters at most)",
            )
        )
    return text


def _code(column: Column, text: str) -> str:
    allowed = codes(column.codes or "")
    for code in allowed:
        if code.lower() == text.lower():
            return code
    raise _Bad(messages.not_a_code(text, column.codes or "", allowed))


def _money(text: str) -> Decimal:
    cleaned = text.replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise _Bad(
            messages.not_a(text, "un monto (p. ej. 150.00)", "an amount (e.g. 150.00)")
        ) from None
    if not amount.is_finite() or amount < 0:
        raise _Bad(messages.not_a(text, "un monto (p. ej. 150.00)", "an amount (e.g. 150.00)"))
    return amount


def _moment(text: str, now: datetime) -> datetime:
    """An aware instant from `2024-03-05`, `05/03/2024` or `2024-03-05T10:30[:00][+zone]`."""
    matched = _DMY.match(text)
    try:
        if matched:
            day, month, year = (int(g) for g in matched.groups())
            return _midday(date(year, month, day), now)
        if len(text) == 10:
            return _midday(date.fromisoformat(text), now)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _Bad(
            messages.not_a(
                text, "una fecha (AAAA-MM-DD o DD/MM/AAAA)", "a date (YYYY-MM-DD or DD/MM/YYYY)"
            )
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=_zone())


def _midday(day: date, now: datetime) -> datetime:
    """Midday of `day` in the program's zone; today's before midday is now (never the future)."""
    midday = datetime.combine(day, time(12), tzinfo=_zone())
    return min(midday, now) if day == now.astimezone(_zone()).date() else midday
