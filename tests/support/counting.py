"""The cases service and the indicators service counting its events, served together in a
test's exit stack, each on a new database of the test's PostgreSQL."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from deploy.local.stack import create_databases
from services.cases.app import CasesSettings
from services.cases.app import create_app as cases_app
from services.indicators.app import IndicatorsSettings
from services.indicators.app import create_app as indicators_app
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.services import Keys, RunningService, serve


async def serve_cases_and_indicators(
    stack: contextlib.AsyncExitStack,
    postgres: PostgresEndpoint,
    kafka: KafkaEndpoint,
    keys: Keys,
    tag: str,
    **indicators: Any,
) -> tuple[RunningService, RunningService]:
    """Both services on databases named with `tag`; `indicators` are the indicators service's
    own settings (its logframes, its consumers' prefix). The environment is the caller's."""
    names = [f"t_{tag}_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    await create_databases(postgres.server_url, names)
    cases_settings = CasesSettings(database_url=postgres.url(names[0]), **kafka.settings("cases"))
    indicators_settings = IndicatorsSettings(
        database_url=postgres.url(names[1]), **kafka.settings("indicators"), **indicators
    )
    cases = await stack.enter_async_context(serve(lambda: cases_app(cases_settings), keys))
    counting = await stack.enter_async_context(
        serve(lambda: indicators_app(indicators_settings), keys)
    )
    return cases, counting
