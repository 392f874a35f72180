"""An amount as people type it on a page, read as the services take it (`1234.50`).

Pages show money as `1.234,50` in Spanish and `1,234.50` in English after the program's sign,
so either is read back, with or without the sign: the last `,` or `.` followed by one or
two digits is the decimal mark, any other a thousands separator. What is not an amount is None,
for the page to say so itself (it was a server error).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from program.load import current_program

_AMOUNT = re.compile(r"^\d{1,3}(?:[.,\s]?\d{3})*(?:[.,]\d{1,2})?$")


def amount(typed: str) -> str | None:
    """`typed` as a two-decimal string, or None when it is not an amount."""
    text = typed.strip().removeprefix(current_program().money_sign()).strip()
    if not _AMOUNT.match(text):
        return None
    whole, decimals = text, ""
    mark = max(text.rfind(","), text.rfind("."))
    if mark >= 0 and len(text) - mark - 1 in (1, 2):
        whole, decimals = text[:mark], text[mark + 1 :]
    digits = re.sub(r"[.,\s]", "", whole)
    try:
        return f"{Decimal(f'{digits}.{decimals or 0}'):.2f}"
    except InvalidOperation:
        return None
