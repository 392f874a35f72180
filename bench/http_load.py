"""A minimal HTTP/1.1 keep-alive client for load generation.

httpx spends more CPU per request than the endpoints under test, and the machine has two cores:
a heavy client would measure itself. This client writes a prepared request and reads the status
line, headers and a Content-Length body, nothing more; each load client owns one connection.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import orjson


class HttpConnection:
    """One keep-alive connection to a server that answers with Content-Length bodies."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()

    async def post(self, path: str, body: object, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST `body` as JSON; return the status and the response body."""
        payload = orjson.dumps(body)
        json = {"Content-Type": "application/json", "Content-Length": str(len(payload))}
        return await self._exchange("POST", path, {**json, **headers}, payload)

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        """GET `path`; return the status and the response body."""
        return await self._exchange("GET", path, headers, b"")

    async def _exchange(
        self, method: str, path: str, headers: dict[str, str], payload: bytes
    ) -> tuple[int, bytes]:
        assert self._reader is not None
        assert self._writer is not None
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        status_line = await self._reader.readline()
        status = int(status_line.split(b" ", 2)[1])
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self._reader.readexactly(length)
