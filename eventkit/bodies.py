"""A command's body as it arrives: whole, within a size limit, across time limits.

What arrived is kept when a time limit interrupts the reading (cancelling `receive` consumes
nothing), so the edge can read a fast body at once and give a slow one a second, counted, turn.
"""

from __future__ import annotations

from starlette.types import Receive


class Arriving:
    """The chunks received so far, and whether the body is whole or over `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.chunks: list[bytes] = []
        self.size = 0
        self.done = False
        self.too_large = False

    async def read(self, receive: Receive) -> None:
        """Receive until the body is whole, passes the limit, or the client goes away."""
        while not self.done:
            message = await receive()
            if message["type"] != "http.request":
                # The client went away: the app sees an empty body and the disconnect.
                self.done = True
                return
            chunk = message.get("body", b"")
            self.size += len(chunk)
            if self.size > self.max_bytes:
                self.too_large = self.done = True
                return
            self.chunks.append(chunk)
            self.done = not message.get("more_body", False)

    def body(self) -> bytes:
        """The body received (whole once `done` and not `too_large`)."""
        return b"".join(self.chunks)
