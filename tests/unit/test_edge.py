"""The request edge: 413 for big bodies, 503 when full or refusing commands, metrics by route."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
from fastapi import FastAPI, Request
from opentelemetry import trace
from pydantic import BaseModel
from starlette.types import Message, Scope

from eventkit.edge import Edge
from eventkit.metrics import REQUESTS
from eventkit.request_numbers import NOT_A_NUMBER, non_json_number
from eventkit.request_text import NUL, SURROGATE, unstorable_text
from eventkit.telemetry import tracing_installed

LIMIT = 2048


class Note(BaseModel):
    text: str


def service(
    release: asyncio.Event | None = None,
    refusal: tuple[str, int] | None = None,
    max_in_flight: int = 4,
    inside: list[int] | None = None,
) -> FastAPI:
    app = FastAPI()

    @app.post("/notes/{note_id}")
    async def write(note_id: str, note: Note) -> dict[str, str]:
        return {"id": note_id, "text": note.text}

    @app.get("/slow")
    async def slow() -> dict[str, bool]:
        assert release is not None
        if inside is not None:
            inside.append(1)
        await release.wait()
        return {"done": True}

    app.add_middleware(
        Edge,
        service="edge-test",
        max_in_flight=max_in_flight,
        max_body_bytes=LIMIT,
        refuse_commands=lambda: refusal,
    )
    return app


def tracing_service(carry: bool) -> FastAPI:
    app = FastAPI()

    @app.get("/trace")
    async def current() -> dict[str, str]:
        return {"trace_id": format(trace.get_current_span().get_span_context().trace_id, "032x")}

    app.add_middleware(
        Edge, service="edge-test", max_in_flight=4, max_body_bytes=LIMIT, carry_trace_context=carry
    )
    return app


def client(app: FastAPI | Edge) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge")


async def test_a_body_declared_too_large_gets_413_unread() -> None:
    async with client(service()) as http:
        answer = await http.post("/notes/1", json={"text": "x" * LIMIT})
    assert answer.status_code == 413
    assert answer.json() == {"detail": f"the request body is larger than {LIMIT} bytes"}


async def test_a_streamed_body_growing_too_large_gets_413() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"y" * 512
        yield b'"}'

    async with client(service()) as http:
        answer = await http.post("/notes/1", content=chunks())  # no Content-Length: chunked
    assert answer.status_code == 413


async def test_bodies_within_the_limit_and_malformed_json_are_answered_as_usual() -> None:
    async with client(service()) as http:
        fine = await http.post("/notes/1", json={"text": "¿'; DROP TABLE notes; --"})
        broken = await http.post(
            "/notes/1", content=b'{"text": ', headers={"content-type": "application/json"}
        )
    assert (fine.status_code, fine.json()["text"]) == (200, "¿'; DROP TABLE notes; --")
    assert broken.status_code == 422


async def test_requests_beyond_capacity_get_503_with_retry_after_at_once() -> None:
    release, inside = asyncio.Event(), list[int]()
    app = service(release, max_in_flight=2, inside=inside)
    async with client(app) as http:
        held = [asyncio.create_task(http.get("/slow")) for _ in range(2)]
        async with asyncio.timeout(10):
            while len(inside) < 2:  # both slots taken
                await asyncio.sleep(0)
        shed = await asyncio.wait_for(http.get("/slow"), 10)
        release.set()
        answers = await asyncio.gather(*held)
    assert (shed.status_code, shed.headers["retry-after"]) == (503, "1")
    assert [a.status_code for a in answers] == [200, 200]


async def test_refused_commands_get_503_while_reads_go_on() -> None:
    release = asyncio.Event()
    release.set()
    app = service(release, refusal=("kafka is behind; retry shortly", 5))
    async with client(app) as http:
        command = await http.post("/notes/1", json={"text": "hola"})
        read = await http.get("/slow")
    assert (command.status_code, command.headers["retry-after"]) == (503, "5")
    assert command.json() == {"detail": "kafka is behind; retry shortly"}
    assert read.status_code == 200


async def test_requests_are_counted_by_route_template_not_raw_path() -> None:
    counted = REQUESTS.labels("edge-test", "POST", "/notes/{note_id}", 200)
    before = counted._value.get()
    async with client(service()) as http:
        for n in range(3):
            assert (await http.post(f"/notes/{n}", json={"text": "x"})).status_code == 200
    assert counted._value.get() == before + 3


async def test_an_incoming_traceparent_is_carried_into_the_request_without_tracing() -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    headers = {"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"}
    async with client(tracing_service(carry=True)) as http:
        carried = (await http.get("/trace", headers=headers)).json()["trace_id"]
        without = (await http.get("/trace")).json()["trace_id"]
    async with client(tracing_service(carry=False)) as http:
        ignored = (await http.get("/trace", headers=headers)).json()["trace_id"]
    assert (carried == trace_id, without == trace_id) == (True, False)
    if not tracing_installed():  # else an earlier test's HTTP tracing continues the trace too
        assert ignored != trace_id


async def test_text_postgresql_cannot_store_gets_422_and_lookalikes_pass() -> None:
    async def post(raw: bytes) -> httpx.Response:
        async with client(service()) as http:
            return await http.post(
                "/notes/1", content=raw, headers={"content-type": "application/json"}
            )

    nul = await post(b'{"text": "a\\u0000b"}')
    lone = await post(b'{"text": "a\\ud8afb"}')
    pair = await post(b'{"text": "\\ud83d\\ude00"}')
    literal = await post(b'{"text": "C:\\\\u0000"}')  # a backslash, then "u0000": plain text
    assert (nul.status_code, nul.json()["detail"]) == (422, f"text: {NUL}")
    assert (lone.status_code, lone.json()["detail"]) == (422, f"text: {SURROGATE}")
    assert (pair.status_code, pair.json()["text"]) == (200, "\U0001f600")
    assert (literal.status_code, literal.json()["text"]) == (200, "C:\\u0000")


def test_the_refusal_names_where_the_text_is() -> None:
    nested = b'{"a": 1, "items": [{"name": "ok"}, {"name": "x\\u0000"}]}'
    in_key = b'{"a\\u0000": 1}'
    deep_key = b'{"items": [{"a\\u0000": 1}]}'
    lone = b'{"list": ["fine", "\\udc00"]}'
    whole = b'"\\u0000"'
    assert unstorable_text(nested) == f"items.1.name: {NUL}"
    assert unstorable_text(in_key) == f"a key: {NUL}"
    assert unstorable_text(deep_key) == f"a key of items.0: {NUL}"
    assert unstorable_text(lone) == f"list.1: {SURROGATE}"
    assert unstorable_text(whole) == NUL
    assert unstorable_text(b'{"n": NaN, "t": "\\u00e9"}') is None  # json-only, storable


async def test_nan_and_infinity_in_a_body_get_422_naming_where() -> None:
    async def post(raw: bytes) -> httpx.Response:
        async with client(service()) as http:
            return await http.post(
                "/notes/1", content=raw, headers={"content-type": "application/json"}
            )

    answers = {
        raw: await post(raw)
        for raw in (
            b'{"text": NaN}',
            b'{"text": Infinity}',
            b'{"text": "x", "more": [1, -Infinity]}',
            b"NaN",
        )
    }
    assert {raw: (a.status_code, a.json()["detail"]) for raw, a in answers.items()} == {
        b'{"text": NaN}': (422, f"text: {NOT_A_NUMBER}"),
        b'{"text": Infinity}': (422, f"text: {NOT_A_NUMBER}"),
        b'{"text": "x", "more": [1, -Infinity]}': (422, f"more.1: {NOT_A_NUMBER}"),
        b"NaN": (422, NOT_A_NUMBER),
    }
    lookalike = await post(b'{"text": "NaN and Infinity"}')
    assert (lookalike.status_code, lookalike.json()["text"]) == (200, "NaN and Infinity")


def test_where_the_non_json_number_is() -> None:
    assert non_json_number(b'{"a": {"b": [0, 1.5, NaN]}}') == f"a.b.2: {NOT_A_NUMBER}"
    assert non_json_number(b'{"a": "NaN"}') is None
    assert non_json_number(b'{"a": NaN') is None  # malformed: FastAPI's own 422 says so


async def test_a_server_error_is_counted_too() -> None:
    app = FastAPI()

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_middleware(Edge, service="edge-test", max_in_flight=4, max_body_bytes=LIMIT)
    counted = REQUESTS.labels("edge-test", "GET", "/boom", 500)
    before = counted._value.get()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as http:
        answer = await http.get("/boom")
    assert answer.status_code == 500
    assert counted._value.get() == before + 1


def waiting_service(release: asyncio.Event, inside: list[str], **edge: Any) -> Edge:
    app = FastAPI()

    @app.post("/notes/{note_id}")
    async def write(note_id: str, note: Note) -> dict[str, str]:
        return {"id": note_id, "text": note.text}

    @app.get("/stream")
    async def stream(request: Request) -> dict[str, bool]:
        inside.append(request.headers.get("x-client", "?"))
        await release.wait()
        return {"done": True}

    async def header_client(scope: Scope) -> str:
        headers: dict[bytes, bytes] = dict(scope["headers"])
        return headers.get(b"x-client", b"?").decode()

    defaults: dict[str, Any] = {"max_in_flight": 1, "max_body_bytes": LIMIT}
    return Edge(app, service="edge-test", client_of=header_client, **(defaults | edge))


Chunks = asyncio.Queue[tuple[bytes, bool]]
"""A body as a server hands it over: (chunk, more to come)."""


async def call(app: Edge, path: str, chunks: Chunks, who: str = "a") -> tuple[int, Any]:
    """POST `path` straight through ASGI with a body arriving as `chunks` does.

    Its `receive` is cancel-safe as uvicorn's is (httpx's ASGI transport loses a body chunk
    when a time limit interrupts it, which no server does).
    """
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 5000), "server": ("edge", 80),
        "headers": [(b"content-type", b"application/json"), (b"x-client", who.encode())],
    }  # fmt: skip
    sent: list[Message] = []

    async def receive() -> Message:
        chunk, more = await chunks.get()
        return {"type": "http.request", "body": chunk, "more_body": more}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], (headers, orjson.loads(body))


def trickling(first: bytes) -> Chunks:
    chunks: Chunks = asyncio.Queue()
    chunks.put_nowait((first, True))
    return chunks


def whole(body: bytes) -> Chunks:
    chunks: Chunks = asyncio.Queue()
    chunks.put_nowait((body, False))
    return chunks


async def slow_from(edge: Edge, client: str) -> None:
    """Wait until `client` has a slow body counted against it."""
    async with asyncio.timeout(10):
        while edge.reading.held(client) == 0:
            await asyncio.sleep(0.01)


async def test_a_body_that_does_not_arrive_in_time_gets_408_and_holds_no_slot() -> None:
    app = waiting_service(asyncio.Event(), [], body_timeout=0.5, slow_body_after=0.1)
    slow = asyncio.create_task(call(app, "/notes/1", trickling(b'{"te')))
    meanwhile = await call(app, "/notes/2", whole(b'{"text": "a clinic\'s command"}'))
    status, (headers, late) = await asyncio.wait_for(slow, 10)
    assert meanwhile[0] == 200  # the only slot was free: the trickler held none
    assert (status, late["detail"]) == (408, "the request body did not arrive within 0.5 s")
    assert headers["connection"] == "close"


async def test_a_body_arriving_in_pieces_within_the_time_is_answered_whole() -> None:
    app = waiting_service(asyncio.Event(), [], body_timeout=5, slow_body_after=0.05)
    chunks = trickling(b'{"te')
    answer = asyncio.create_task(call(app, "/notes/1", chunks))
    await slow_from(app, "a")  # past the grace: the body is slow now, and must still be whole
    chunks.put_nowait((b'xt": "late but whole"}', False))
    status, (_, body) = await asyncio.wait_for(answer, 10)
    assert (status, body["text"]) == (200, "late but whole")


async def test_slow_bodies_count_against_their_client_and_fast_ones_never_do() -> None:
    app = waiting_service(
        asyncio.Event(), [], max_bodies_per_client=1, slow_body_after=0.1, body_timeout=5
    )
    first_chunks = trickling(b"{")
    first = asyncio.create_task(call(app, "/notes/1", first_chunks))
    await slow_from(app, "a")  # the first body is slow now, and counted against client a
    second = await call(app, "/notes/2", trickling(b"{"))
    other_chunks = trickling(b"{")
    other = asyncio.create_task(call(app, "/notes/3", other_chunks, who="b"))
    fast = await asyncio.gather(
        *(call(app, f"/notes/{n}", whole(b'{"text": "x"}')) for n in range(20))
    )
    for chunks in (first_chunks, other_chunks):
        chunks.put_nowait((b'"text": "done"}', False))
    finished = await asyncio.gather(first, other)
    status, (headers, refused) = second
    assert (status, headers["retry-after"]) == (429, "1")
    assert refused["detail"].startswith("this client is already sending 1 slow request bodies")
    assert {a[0] for a in fast} == {200}
    assert [f[0] for f in finished] == [200, 200]  # b is another client


async def test_streams_have_their_own_slots_and_a_bound_per_client() -> None:
    release, inside = asyncio.Event(), list[str]()
    app = waiting_service(release, inside, max_waiting=4, max_waiting_per_client=2)
    async with client(app) as http:

        def listen(who: str) -> asyncio.Task[httpx.Response]:
            return asyncio.create_task(http.get("/stream", headers={"x-client": who}))

        held = [listen("a"), listen("a"), listen("b")]
        async with asyncio.timeout(10):
            while len(inside) < 3:
                await asyncio.sleep(0)
        third_of_a = await http.get("/stream", headers={"x-client": "a"})
        held.append(listen("c"))
        async with asyncio.timeout(10):
            while len(inside) < 4:
                await asyncio.sleep(0)
        over_all = await http.get("/stream", headers={"x-client": "d"})
        command = await http.post("/notes/1", json={"text": "a redemption"})
        release.set()
        answers = await asyncio.gather(*held)
    assert (third_of_a.status_code, third_of_a.headers["retry-after"]) == (429, "5")
    assert "already holds 2 streams or long polls" in third_of_a.json()["detail"]
    assert (over_all.status_code, over_all.headers["retry-after"]) == (503, "5")
    assert command.status_code == 200  # max_in_flight is 1, and four streams are open
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert sorted(inside) == ["a", "a", "b", "c"]
