"""Rows sent through the services' public HTTP APIs, with an idempotency key per command.

The import acts as the person who imports (their subject and organisation): a supervisor in
their regions for what a case team records, and, for a redemption, as the clinic the row names
(a clinic's act recorded from the program's files). Tokens come from the platform's local
issuer (`Signer`); the same subject and claims every time, so a command resent after a crash
carries the same caller and key and the service answers with what it stored the first time.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from access.signing import issue_token, load_key
from access.tokens import DEV_AUDIENCE, DEV_ISSUER
from eventkit.read_your_writes import AFTER_HEADER

RETRIES = 120


class Refused(Exception):
    """A service said no (status and its `detail`): the row is reported, not retried."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"{status}: {detail}")
        self.status, self.detail = status, detail


class Signer:
    """Tokens for the import's acts: `subject` of `organization`, in `regions`, signed by the
    issuer the services trust (`issuer`, `audience`: theirs, `PANA_AUTH_ISSUER`/`_AUDIENCE`)."""

    def __init__(
        self,
        key_path: Path,
        subject: str,
        organization: str,
        regions: list[str],
        issuer: str = DEV_ISSUER,
        audience: str = DEV_AUDIENCE,
    ) -> None:
        self.key_path = key_path
        self.subject, self.organization, self.regions = subject, organization, regions
        self.issuer, self.audience = issuer, audience
        self._tokens: dict[str, str] = {}

    def headers(self, role: str, **claims: str) -> dict[str, str]:
        ident = f"{role}:{sorted(claims.items())}"
        if ident not in self._tokens:
            base: dict[str, Any] = {"sub": self.subject, "org": self.organization, "role": role}
            if role == "supervisor":
                base["regions"] = self.regions
            key = load_key(self.key_path)  # read when first needed: a dry run needs none
            self._tokens[ident] = issue_token(
                key, base | claims, issuer=self.issuer, audience=self.audience,
                ttl=timedelta(hours=12),
            )  # fmt: skip
        return {"Authorization": f"Bearer {self._tokens[ident]}"}


class Sender:
    """POSTs to the services at `urls` (by service name), retrying only what may succeed later:
    a lost connection, 503, or a refusal with `Retry-After` (another service's copy catching up)."""

    def __init__(self, urls: dict[str, str], signer: Signer, concurrency: int = 8) -> None:
        limits = httpx.Limits(
            max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2
        )
        self.clients = {
            name: httpx.AsyncClient(base_url=url, timeout=60, limits=limits)
            for name, url in urls.items()
        }
        self.signer = signer
        self._units: dict[tuple[str, str], str] | None = None
        self._providers: dict[tuple[str, str], str] | None = None
        self._answering: set[str] = set()

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def post(
        self,
        service: str,
        path: str,
        body: Any,
        key: str,
        role: str = "supervisor",
        after: str = "",
        **claims: str,
    ) -> dict[str, Any]:
        headers = self.signer.headers(role, **claims) | {"Idempotency-Key": key}
        if after:
            headers[AFTER_HEADER] = after
        for _ in range(RETRIES):
            try:
                answer = await self.clients[service].post(path, json=body, headers=headers)
            except httpx.TransportError:
                await asyncio.sleep(0.25)
                continue
            if answer.status_code < 300:
                return dict(answer.json())
            if answer.status_code == 503 or "Retry-After" in answer.headers:
                await asyncio.sleep(min(float(answer.headers.get("Retry-After", "0.5")), 2.0))
                continue
            detail = answer.json().get("detail") if answer.content else answer.reason_phrase
            raise Refused(answer.status_code, detail)
        raise Refused(503, "still unavailable after retries")

    async def unit(self, name: str, region: str) -> str | None:
        if self._units is None:
            self._units = await self._directory("referrals", "/units", "unit_id")
        return self._units.get((name.lower(), region)) or self._units.get((name.lower(), "*"))

    async def answers_itself(self, unit_id: str) -> bool:
        """Whether the unit has a system account (it answers through the API itself)."""
        if self._units is None:
            self._units = await self._directory("referrals", "/units", "unit_id")
        return unit_id in self._answering

    async def provider(self, name: str, region: str) -> str | None:
        if self._providers is None:
            self._providers = await self._directory("vouchers", "/providers", "provider_id")
        return self._providers.get((name.lower(), region)) or self._providers.get(
            (name.lower(), "*")
        )

    async def _directory(self, service: str, path: str, ident: str) -> dict[tuple[str, str], str]:
        """Entries by (name, region) and by (id, any region): a row may give either."""
        answer = await self.clients[service].get(path, headers=self.signer.headers("supervisor"))
        answer.raise_for_status()
        found: dict[tuple[str, str], str] = {}
        for entry in answer.json():
            found[(str(entry["name"]).lower(), str(entry["region"]))] = str(entry[ident])
            found[(str(entry[ident]).lower(), "*")] = str(entry[ident])
            if entry.get("has_system_account"):
                self._answering.add(str(entry[ident]))
        return found
