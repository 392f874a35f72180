"""The logframe versions a service instance serves, and which one readers get by default."""

from __future__ import annotations

from dataclasses import dataclass

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
