"""Days as the pages write them and people type them: `dd/mm/aaaa`.

The pages do not use the browser's own date input (`type=date`): Debian's chromium draws it in the
order of the browser's language, not the page's (`mm/dd/yyyy` on a Spanish page in an English
browser, whatever its `lang` attribute: tried in the browser tests), so a day would be shown, and
typed, month first. A day is a text field with the hint `dd/mm/aaaa` (`templates/day.html`), read
back here; what is not a day is said on the page, in its language, and nothing is sent.
"""

from __future__ import annotations

import re
from datetime import date

PATTERN = r"\d{1,2}/\d{1,2}/\d{4}"
"""What the field's `pattern` asks (the browser's hint before sending; the server decides)."""

_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def typed_day(text: str) -> date | None:
    """The day typed: `15/07/1992` (or `5/7/1992`, `15-07-1992`, `15.07.1992`), or ISO
    `1992-07-15` (unambiguous: the year first); None when it is not a day of the calendar
    (`31/02/2027`, `07/15/1992`, `15/07/92`)."""
    text = text.strip()
    try:
        if _ISO.fullmatch(text):
            return date.fromisoformat(text)
        if found := _DAY_MONTH_YEAR.fullmatch(text):
            day, month, year = (int(part) for part in found.groups())
            return date(year, month, day)
    except ValueError:
        return None
    return None
