"""Play a planned year through the public APIs, as the team (its supervisor entering the year
late, see `acts.TEAM`), clinics and receiving units do."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from access.signing import issue_token, load_key
from deploy.demo.acts import TEAM, outreach_batches, play_person
from deploy.demo.plan import DESTINATIONS, REGIONS, Person
from eventkit.read_your_writes import AFTER_HEADER


@dataclass
class Endpoints:
    cases: str
    referrals: str
    vouchers: str


@dataclass
class Sent:
    """What the demo sent, by kind of act (the summary it prints)."""

    acts: Counter[str] = field(default_factory=Counter)
    retries: int = 0


class Player:
    """Sends each person's acts; `concurrency` people at a time, at most `rate` requests/s."""

    def __init__(self, endpoints: Endpoints, signing_key: Path, concurrency: int = 8,
                 rate: float = 0.0) -> None:  # fmt: skip
        self.endpoints = endpoints
        self.key = load_key(signing_key)
        self.concurrency = concurrency
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.sent = Sent()
        self._next_slot = time.monotonic()
        self._clients: dict[tuple[str, str], httpx.AsyncClient] = {}
        self.units: dict[tuple[str, str], str] = {}
        self.providers: dict[str, str] = {}

    def client(self, base: str, role: str, **claims: Any) -> httpx.AsyncClient:
        ident = (base, f"{role}:{sorted(claims.items())}")
        if ident not in self._clients:
            token = issue_token(
                self.key, {"sub": f"demo-{role}", "org": "demo", "role": role, **claims},
                ttl=timedelta(hours=6),
            )  # fmt: skip
            self._clients[ident] = httpx.AsyncClient(
                base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
            )
        return self._clients[ident]

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def post(self, client: httpx.AsyncClient, path: str, body: Any, kind: str,
                   retry_rule: str | None = None, after: str = "") -> dict[str, Any]:  # fmt: skip
        """POST with an idempotency key; retry 503s, refusals with `Retry-After` (a service's copy
        of who exists catching up), lost connections (a kept-alive connection the server closed
        as it was reused) and `retry_rule` refusals, a bounded while. The same
        key on every try: a retry never does the command twice. `after`: the event ids another
        service answered (`Pana-After`), so this one answers once its copy has them."""
        key = {"Idempotency-Key": f"demo-{uuid.uuid4()}"}
        if after:
            key[AFTER_HEADER] = after
        for _ in range(240):
            await self._pace()
            try:
                answer = await client.post(path, json=body, headers=key)
            except httpx.TransportError:
                self.sent.retries += 1
                await asyncio.sleep(0.25)
                continue
            if answer.status_code < 300:
                self.sent.acts[kind] += 1
                return dict(answer.json())
            detail = answer.json().get("detail") if answer.content else None
            retriable = (
                answer.status_code == 503
                or "Retry-After" in answer.headers
                or (
                    retry_rule is not None
                    and isinstance(detail, dict)
                    and detail.get("rule") == retry_rule
                )
            )
            if not retriable:
                raise RuntimeError(f"{kind}: {answer.status_code} {answer.text[:300]}")
            self.sent.retries += 1
            await asyncio.sleep(float(answer.headers.get("Retry-After", "0.25")))
        raise RuntimeError(f"{kind}: still refused after retries")

    async def _pace(self) -> None:
        if self.interval:
            now = time.monotonic()
            self._next_slot = max(self._next_slot + self.interval, now)
            await asyncio.sleep(self._next_slot - now)

    async def directories(self) -> None:
        """Receiving units and partner providers in every region (as an administrator); those
        of an earlier demo run are reused, so the demo can be played again on the same stack."""
        admin_r = self.client(self.endpoints.referrals, "administrator")
        admin_v = self.client(self.endpoints.vouchers, "administrator")
        units = {u["name"]: u["unit_id"] for u in (await admin_r.get("/units")).json()}
        providers = {p["name"]: p["provider_id"] for p in (await admin_v.get("/providers")).json()}
        for region in REGIONS:
            for destination in DESTINATIONS:
                name = f"{destination} {region} (demo)"
                if name not in units:
                    unit = await self.post(admin_r, "/units", {
                        "name": name, "destination": destination, "region": region,
                        "has_system_account": True,
                        "handover_contact": {"office": f"Admisión {destination}"},
                    }, "unit added")  # fmt: skip
                    units[name] = unit["unit_id"]
                self.units[(region, destination)] = units[name]
            name = f"Clínica {region} (demo)"
            if name not in providers:
                provider = await self.post(admin_v, "/providers", {
                    "name": name, "region": region, "kind": "clinic",
                    "services": ["consultation", "exams", "medicines"],
                }, "provider added")  # fmt: skip
                providers[name] = provider["provider_id"]
            self.providers[region] = providers[name]

    async def play(self, people: list[Person], now: datetime,
                   progress: Callable[[int, int], None] | None = None) -> Sent:  # fmt: skip
        """Everything in the plan; people in parallel, each person's acts in order."""
        await self.directories()
        registered: dict[int, str] = {}
        done = 0
        gate = asyncio.Semaphore(self.concurrency)

        async def one(person: Person) -> None:
            nonlocal done
            async with gate:
                registered[person.number] = await self.person(person, now)
            done += 1
            if progress:
                progress(done, len(people))

        await asyncio.gather(*(one(p) for p in people))
        await self.outreach(people, registered)
        return self.sent

    async def person(self, person: Person, now: datetime) -> str:
        return await play_person(self, person, now)

    async def outreach(self, people: list[Person], ids: dict[int, str]) -> None:
        """Messages reach people in bulk: one request per region, topic and month."""
        for region, topic, at, batch in outreach_batches(people, ids):
            team = self.client(self.endpoints.cases, TEAM, regions=[region])
            await self.post(team, "/outreach", {
                "participant_ids": batch, "topic": topic, "region": region, "reached_at": at,
                "channel": "whatsapp" if topic == "income_generation" else "fair",
                "delivery_mode": "remote" if topic == "income_generation" else "in_person",
            }, "outreach request")  # fmt: skip
            self.sent.acts[f"{topic} message"] += len(batch)
