"""Text PostgreSQL can't store, refused at the door: NUL characters and unpaired surrogates.

JSON may spell both (`"\\u0000"`, `"\\ud8af"`) and Python's parser accepts them, but PostgreSQL
refuses NUL in `text` and UTF-8 has no encoding for a lone surrogate: such a request used to
fail deep inside a command (or while rendering its answer) with a 500. Only bodies containing a
`\\u` escape are parsed here, so ordinary requests cost one byte search.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

NUL = "text must not contain the NUL character (\\u0000)"
SURROGATE = "text must not contain unpaired surrogate code points (\\ud800-\\udfff)"


def unstorable_text(body: bytes) -> str | None:
    """Why `body` (a JSON request body) holds text that can't be stored; None when it can.

    The reason starts with where the text is (`items.0.name: ...`), as field errors do.
    """
    if b"\\u" not in body:
        return None
    try:
        value = orjson.loads(body)  # refuses unpaired surrogates, unlike `json`
    except orjson.JSONDecodeError:
        try:
            value = json.loads(body)
        except ValueError:
            return None  # not JSON at all: the service's own validation answers it
        return _reason(_where(value, _has_surrogate), SURROGATE)
    if b"\\u0000" not in body:
        return None
    return _reason(_where(value, _has_nul), NUL)


def _has_nul(text: str) -> bool:
    return "\x00" in text


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def _reason(where: str | None, problem: str) -> str | None:
    if where is None:
        return None
    return f"{where}: {problem}" if where else problem


def _where(value: Any, bad: Callable[[str], bool], at: str = "") -> str | None:
    """The dotted path of the first text `bad` finds ("" for the whole body); None if none."""
    if isinstance(value, str):
        return at if bad(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if bad(key):  # the key itself is not repeated back
                return f"a key of {at}" if at else "a key"
            inside = f"{at}.{key}" if at else str(key)
            found = _where(item, bad, inside)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _where(item, bad, f"{at}.{index}" if at else str(index))
            if found is not None:
                return found
    return None
