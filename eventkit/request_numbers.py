"""Numbers JSON does not have, refused at the door: `NaN`, `Infinity` and `-Infinity`.

Python's parser (which FastAPI uses) accepts them, and a field that refuses one echoes it back in
its validation error, which no JSON encoder may write: the refusal itself failed as a 500. Only
bodies holding one of the words are parsed here, so ordinary requests cost two byte searches.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

NOT_A_NUMBER = "NaN, Infinity and -Infinity are not JSON numbers; send a finite number"


def non_json_number(body: bytes) -> str | None:
    """Why `body` (a JSON request body) is refused for a NaN or an infinity; None when it is not.

    The reason starts with where the number is (`items.0.amount: ...`), as field errors do.
    """
    if b"NaN" not in body and b"Infinity" not in body:
        return None
    try:
        orjson.loads(body)  # standard JSON: the words were inside strings
        return None
    except orjson.JSONDecodeError:
        pass
    try:
        value = json.loads(body)
    except ValueError:
        return None  # not JSON at all: the service's own validation answers it
    where = _where(value, "")
    if where is None:
        return None
    return f"{where}: {NOT_A_NUMBER}" if where else NOT_A_NUMBER


def _where(value: Any, at: str) -> str | None:
    """The dotted path of the first non-finite number ("" for the whole body); None if none."""
    if isinstance(value, float):
        return None if math.isfinite(value) else at
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        items = [(str(key), item) for key, item in value.items()]
    elif isinstance(value, list):
        items = [(str(index), item) for index, item in enumerate(value)]
    for name, item in items:
        found = _where(item, f"{at}.{name}" if at else name)
        if found is not None:
            return found
    return None
