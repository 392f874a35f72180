"""OpenAPI links between operations: what a client does next with an answer.

A link says, for instance, that the `participant_id` in the 201 of `POST /participants` is the
path parameter of `GET /participants/{participant_id}` and a field of `POST /cases`. Clients and
documentation read it; schemathesis' stateful mode follows it, so generated sequences act on
records that exist instead of random ids that only ever get 404.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

Operation = tuple[str, str]
"""(method, path template), e.g. ("POST", "/participants")."""


@dataclass(frozen=True)
class Link:
    """From `source`'s answer with `status` to `target`, with the values it carries over.

    `parameters` and `body` map a target parameter or body field to a runtime expression such
    as `$response.body#/participant_id` or `$request.body#/unit_id`.
    """

    name: str
    source: Operation
    target: Operation
    parameters: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, str] = field(default_factory=dict)
    status: str = "201"


def add_links(document: dict[str, Any], links: Sequence[Link]) -> None:
    """Write `links` into an OpenAPI document; refuse a link naming an unknown operation."""
    paths = document.get("paths", {})

    def operation(where: Operation) -> dict[str, Any]:
        method, path = where
        found = paths.get(path, {}).get(method.lower())
        if found is None:
            raise ValueError(f"an OpenAPI link names {method} {path}, which does not exist")
        result: dict[str, Any] = found
        return result

    for link in links:
        target = operation(link.target)
        answer = (
            operation(link.source)
            .setdefault("responses", {})
            .setdefault(link.status, {"description": "Successful Response"})
        )
        definition: dict[str, Any] = {"operationId": target["operationId"]}
        if link.parameters:
            definition["parameters"] = dict(link.parameters)
        if link.body:
            definition["requestBody"] = dict(link.body)
        answer.setdefault("links", {})[link.name] = definition


def document_links(app: FastAPI, links: Sequence[Link]) -> None:
    """Make `app`'s OpenAPI document carry `links` (checked when the document is first built)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            add_links(build(), links)
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]
