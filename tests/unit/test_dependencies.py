"""Routes get the app's clock, pool and settings as dependencies; a test can fix the time."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from eventkit.clock import utc_now
from eventkit.dependencies import Clock, Pool, Settings, app_clock
from eventkit.settings import ServiceSettings

FIXED = datetime(2023, 5, 1, 12, tzinfo=UTC)


def tiny_app() -> FastAPI:
    app = FastAPI()
    app.state.clock = utc_now
    app.state.pool = "the pool"
    app.state.settings = ServiceSettings(service_name="tiny")

    @app.get("/now")
    def now(clock: Clock, pool: Pool, settings: Settings) -> dict[str, str]:
        return {"now": clock().isoformat(), "pool": str(pool), "service": settings.service_name}

    return app


def test_the_apps_clock_pool_and_settings_reach_the_route() -> None:
    with TestClient(tiny_app()) as client:
        answer = client.get("/now").json()
    assert (answer["pool"], answer["service"]) == ("the pool", "tiny")
    assert abs(datetime.fromisoformat(answer["now"]) - datetime.now(UTC)).total_seconds() < 60


def test_a_test_fixes_the_time_by_overriding_the_clock() -> None:
    app = tiny_app()
    app.dependency_overrides[app_clock] = lambda: lambda: FIXED
    with TestClient(app) as client:
        assert client.get("/now").json()["now"] == FIXED.isoformat()


def test_an_app_without_a_clock_of_its_own_reads_the_wall_clock() -> None:
    app = tiny_app()
    del app.state.clock
    with TestClient(app) as client:
        now = datetime.fromisoformat(client.get("/now").json()["now"])
    assert abs(now - datetime.now(UTC)).total_seconds() < 60
