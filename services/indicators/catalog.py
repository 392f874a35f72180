"""The logframe versions a service instance serves, and which one readers get by default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.indicators.logframe import Logframe


class UnknownLogframe(LookupError):
    """No logframe version with this key is loaded."""


@dataclass(frozen=True)
class Catalog:
    """Loaded logframe versions by key; `default` is the one reports use unless asked."""

    logframes: dict[str, Logframe]
    default: str

    def __post_init__(self) -> None:
        if self.default not in self.logframes:
            raise ValueError(
                f"default logframe {self.default!r} is not among {list(self.logframes)}"
            )

    def get(self, key: str | None) -> Logframe:
        """The logframe `key` (the default when None); raise `UnknownLogframe`."""
        found = self.logframes.get(key or self.default)
        if found is None:
            raise UnknownLogframe(key)
        return found

    def current(self, today: date) -> str:
        """The version a reader opens on `today`: the default when its period includes today,
        else the version whose period includes today and started last, else the default.

        After `make up` the default (the program's Year 2) lies in the past, so a user's acts of
        today would be invisible on a dashboard that opened on it.
        """
        if self._includes(self.logframes[self.default], today):
            return self.default
        running = [lf for lf in self.logframes.values() if self._includes(lf, today)]
        if not running:
            return self.default
        return max(running, key=lambda lf: (lf.period.start, lf.key)).key

    @staticmethod
    def _includes(logframe: Logframe, today: date) -> bool:
        return logframe.period.start <= today <= logframe.period.end
