"""Voucher codes: short, typable, with a check character, and their QR payload.

Ten random symbols of Crockford's base-32 alphabet (no I, L, O, U: nothing to confuse when read
aloud or typed) plus a Luhn mod 32 check symbol, which catches every single mistyped symbol and
most swaps of neighbours. Shown as `XXXX-XXXX-XXX`; input is forgiving (case, dashes, spaces,
and O/I/L read as 0/1/1).
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
QR_PREFIX = "pana:voucher:"
_BODY = 10
_LOOKALIKES = str.maketrans("OIL", "011")


def _check(body: str) -> str:
    total, factor = 0, 2
    for symbol in reversed(body):
        addend = factor * ALPHABET.index(symbol)
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def new_code() -> str:
    """A fresh random code (about 50 bits), formatted for people."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(_BODY))
    return display(body + _check(body))


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalize(text: str) -> str | None:
    """The canonical code typed or scanned as `text`, or None when it is not a valid code."""
    if text.startswith(QR_PREFIX):
        text = text[len(QR_PREFIX) :]
    raw = text.upper().replace("-", "").replace(" ", "")
    raw = raw.translate(_LOOKALIKES)
    if len(raw) != _BODY + 1 or any(c not in ALPHABET for c in raw):
        return None
    if _check(raw[:_BODY]) != raw[_BODY]:
        return None
    return display(raw)


def qr_payload(code: str) -> str:
    """What the voucher's QR code encodes."""
    return QR_PREFIX + code
