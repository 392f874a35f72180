"""Exact-match lookup of a document or phone number without storing it in clear.

`blind_index(kind, value, key=...)` is HMAC-SHA256, under its own key (never the encryption
master key), over the kind and the normalized value; store it next to the encrypted field and
look up by computing it again. Without the key the index reveals nothing, not even by trying
every 8-digit DNI.

Normalization (what counts as "the same" number):
- document: Unicode NFKC, spaces, dashes, dots and slashes removed, uppercased; what remains must
  be letters and digits. Leading zeros and letters are kept ("V-12.345.678" -> "V12345678").
- phone: the E.164 digits without "+". A number starting with "+" or "00" is international as
  written; one already starting with the default country code and longer than a national number
  is taken as including it; any other is national: trunk zeros dropped, the default country
  code (Peru, 51) prefixed. So "+51 987 654 321", "0051987654321", "51987654321" and
  "987-654-321" are one number. A foreign number written without its country code cannot be
  told apart from a national one: record it with "+".
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from enum import StrEnum


class Kind(StrEnum):
    """What a blind index is of; part of the MAC, so equal digits of two kinds never match."""

    DOCUMENT = "document"
    PHONE = "phone"


DEFAULT_COUNTRY_CODE = "51"
NATIONAL_DIGITS = 9
"""The longest national number of the default country (Peru: mobiles have 9 digits)."""

_DOCUMENT_SEPARATORS = re.compile(r"[\s\-./]+")
_PHONE_PUNCTUATION = re.compile(r"[\s\-.()]+")


def normalize(
    kind: Kind,
    value: str,
    *,
    country_code: str = DEFAULT_COUNTRY_CODE,
    national_digits: int = NATIONAL_DIGITS,
) -> str:
    """The canonical form of a document or phone number; `ValueError` when it is not one."""
    if kind is Kind.DOCUMENT:
        text = _DOCUMENT_SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()
        if not text or not (text.isascii() and text.isalnum()):
            raise ValueError("a document number has only letters, digits and separators")
        return text
    text = _PHONE_PUNCTUATION.sub("", unicodedata.normalize("NFKC", value))
    international = text.startswith("+")
    digits = text.removeprefix("+")
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("a phone number has only digits, a leading + and separators")
    if not international and digits.startswith("00"):
        digits, international = digits[2:], True
    if not international and not (
        digits.startswith(country_code) and len(digits) > national_digits
    ):
        digits = country_code + digits.lstrip("0")
    if not 8 <= len(digits) <= 15:  # E.164 numbers have at most 15 digits
        raise ValueError("a phone number has 8 to 15 digits with its country code")
    return digits


def blind_index(
    kind: Kind, value: str, *, key: bytes, country_code: str = DEFAULT_COUNTRY_CODE
) -> str:
    """The keyed blind index (hex) of a document or phone number, after `normalize`."""
    if len(key) < 32:
        raise ValueError("the blind-index key must have at least 32 bytes")
    message = f"{kind.value}\x00{normalize(kind, value, country_code=country_code)}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
