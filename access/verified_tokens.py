"""A short-lived memory of tokens already verified, so a client's next request skips the crypto.

A clinic's device sends the same bearer token with every redemption until it expires; checking
its signature again each time cost more CPU than the redemption itself. Only tokens that passed
every check are kept, each for at most `max_age` seconds and never past its own `exp`, so a key
withdrawn by the issuer stops being honoured within `max_age` plus the JWKS cache lifetime.
Tokens that fail are never kept: made-up tokens cannot fill the memory.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from access.principal import Principal


class VerifiedTokens:
    """Principals by token string, each until its expiry; the oldest go first when full."""

    def __init__(
        self,
        *,
        max_age: float = 60.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_age, self.max_entries, self.clock = max_age, max_entries, clock
        self._kept: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    def get(self, token: str) -> Principal | None:
        """The principal of an already verified, still valid token; None otherwise."""
        found = self._kept.get(token)
        if found is None:
            return None
        until, principal = found
        if self.clock() >= until:
            del self._kept[token]
            return None
        return principal

    def keep(self, token: str, claims: dict[str, Any], principal: Principal) -> None:
        """Remember a token that just passed verification."""
        now = self.clock()
        until = min(now + self.max_age, float(claims.get("exp", now)))
        if until <= now:
            return
        self._kept[token] = (until, principal)
        self._kept.move_to_end(token)
        while len(self._kept) > self.max_entries:
            self._kept.popitem(last=False)
