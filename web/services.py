"""The services, called with the signed-in person's own access token.

The pages hold no rights of their own: every read and every command goes to the service's API
with the person's token, so need-to-know holds exactly as in the APIs, and a page shows only
what the API answered. A refusal becomes a `ServiceRefusal` the page turns into a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from web.settings import WebSettings


class ServiceRefusal(Exception):
    """The service answered 4xx/5xx; `status`, and the `rule` and `message` it gave, if any."""

    def __init__(self, status: int, rule: str | None, message: str) -> None:
        super().__init__(f"{status} {rule or ''} {message}")
        self.status, self.rule, self.message = status, rule, message


class ServiceUnavailable(Exception):
    """The service could not be reached."""


@dataclass
class Services:
    """Base URLs of the four services and one shared HTTP client."""

    settings: WebSettings
    http: httpx.AsyncClient

    def url(self, service: str, path: str) -> str:
        base: str = getattr(self.settings, f"{service}_url")
        return f"{base.rstrip('/')}{path}"

    async def call(
        self,
        token: str,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """The JSON answer of `method path` on `service` as the person; refusals raised."""
        answer = await self.raw(
            token, service, method, path, json=json, params=params, headers=headers
        )
        if answer.status_code >= 400:
            raise refusal(answer)
        if not answer.content:
            return None
        return answer.json()

    async def raw(
        self,
        token: str,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """The answer itself (exports: CSV, XLSX)."""
        try:
            return await self.http.request(
                method,
                self.url(service, path),
                json=json,
                params=params,
                headers={"Authorization": f"Bearer {token}", **(headers or {})},
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(service) from exc


def refusal(answer: httpx.Response) -> ServiceRefusal:
    """The service's refusal as the page reports it (`{"detail": ...}` in its shapes)."""
    rule, message = None, answer.reason_phrase
    try:
        body = answer.json()
        detail = body.get("detail")
    except (ValueError, AttributeError):
        body, detail = None, None
    if isinstance(detail, dict):
        rule, message = detail.get("rule"), str(detail.get("message") or message)
    elif isinstance(detail, str):
        message = detail
    elif isinstance(detail, list) and detail:
        message = "; ".join(str(item.get("msg", item)) for item in detail if isinstance(item, dict))
    if isinstance(body, dict) and "current_version" in body:
        rule = "version_mismatch"  # If-Match named a version the record has moved past
    return ServiceRefusal(answer.status_code, rule, message)
