"""How many requests each client holds open in a slow phase, each client within its bound.

A stream, a long poll or a request body still arriving holds the process's attention for
seconds to minutes, not milliseconds: counted per client (a token's subject, or an address),
one client cannot hold them all, and commands keep their own slots.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.types import Scope

ClientOf = Callable[[Scope], Awaitable[str]]
"""Whom a request counts against (e.g. `"subject:org/sub"`, `"address:203.0.113.7"`)."""

LONG_LIVED_PREFIXES = ("/stream", "/positions/")
"""Reads that stay open by design: Server-Sent Events streams and read-your-writes long polls."""


class PerClient:
    """At most `limit` held at once by each client."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: dict[str, int] = {}

    def take(self, client: str) -> bool:
        """Hold one more for `client`; False (and nothing held) when it is at its limit."""
        held = self._held.get(client, 0)
        if held >= self.limit:
            return False
        self._held[client] = held + 1
        return True

    def release(self, client: str) -> None:
        """Give one back (the count is forgotten at zero, so idle clients cost no memory)."""
        held = self._held.get(client, 0) - 1
        if held > 0:
            self._held[client] = held
        else:
            self._held.pop(client, None)

    def held(self, client: str) -> int:
        """How many `client` holds now."""
        return self._held.get(client, 0)


def address(scope: Scope) -> str:
    """The peer's address as the server saw it (behind a trusted proxy: the forwarded one)."""
    client = scope.get("client")
    return f"address:{client[0]}" if client else "address:unknown"


async def by_address(scope: Scope) -> str:
    """The default `ClientOf`: the address alone."""
    return address(scope)


def long_lived(scope: Scope) -> bool:
    """Whether the request is a stream or a long poll (GET `/stream...`, `/positions/...`)."""
    path: str = scope["path"]
    return scope["method"] == "GET" and path.startswith(LONG_LIVED_PREFIXES)
