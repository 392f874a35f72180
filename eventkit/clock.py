"""The time as the platform reads it: one clock per app, injectable so tests control time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Now = Callable[[], datetime]
"""A clock: called for the current time (timezone-aware)."""


def utc_now() -> datetime:
    """The wall clock in UTC: every app's clock unless one is injected."""
    return datetime.now(UTC)
