"""Text PostgreSQL can't store, refused at the door: NUL characters and unpaired surrogates.

JSON may spell both (`"\\u0000"`, `"\\ud8af"`) and Python's parser accepts them, but PostgreSQL
refuses NUL in `text` and UTF-8 has no encoding for a lone surrogate: such a request used to
fail deep inside a command (or while rendering its answer) with a 500. Only bodies containing a
`\\u` escape are parsed here, so ordinary requests cost one byte search.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

NUL = "text must not contain the NUL character (\\u0000)"
SURROGATE = "text must not contain unpaired surrogate code points (\\ud800-\\udfff)"


def unstorable_text(body: bytes) -> str | None:
    """Why `body` (a JSON request body) holds text that can't be stored; None when it can."""
    if b"\\u" not in body:
        return None
    try:
        value = orjson.loads(body)  # refuses unpaired surrogates, unlike `json`
    except orjson.JSONDecodeError:
        try:
            json.loads(body)
        except ValueError:
            return None  # not JSON at all: the service's own validation answers it
        return SURROGATE
    return NUL if b"\\u0000" in body and _holds_nul(value) else None


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False
