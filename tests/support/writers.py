"""The three services that take commands (cases, referrals, vouchers), and the indicators beside
them, served together in a test's exit stack on the test's real PostgreSQL and Kafka."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from services.cases.app import CasesSettings
from services.cases.app import create_app as cases_app
from services.indicators.app import IndicatorsSettings
from services.indicators.app import create_app as indicators_app
from services.referrals.app import ReferralsSettings
from services.referrals.app import create_app as referrals_app
from services.vouchers.app import VouchersSettings
from services.vouchers.app import create_app as vouchers_app
from tests.support.caught_up import SOURCE_TOPICS, indicators_consumers, start_at_end
from tests.support.infrastructure import KafkaEndpoint
from tests.support.services import Keys, RunningService, serve

Four = tuple[RunningService, RunningService, RunningService, RunningService]
"""Cases, referrals, vouchers and indicators."""


async def serve_writers(
    stack: contextlib.AsyncExitStack,
    kafka: KafkaEndpoint,
    keys: Keys,
    urls: Sequence[str],
    groups: str,
) -> tuple[RunningService, RunningService, RunningService]:
    """Cases, referrals and vouchers on the databases `urls[0:3]`; the copies' consumer groups
    are named with `groups` (e.g. `across.<tag>`) so that test modules never share one."""
    cases = await stack.enter_async_context(serve(lambda: cases_app(
        CasesSettings(database_url=urls[0], **kafka.settings("cases"))
    ), keys))  # fmt: skip
    referrals = await stack.enter_async_context(serve(lambda: referrals_app(
        ReferralsSettings(database_url=urls[1], **kafka.settings("referrals"),
                          consent_consumer=f"referrals.{groups}.consent",
                          roster_consumer=f"referrals.{groups}.roster")
    ), keys))  # fmt: skip
    vouchers = await stack.enter_async_context(serve(lambda: vouchers_app(
        VouchersSettings(database_url=urls[2], **kafka.settings("vouchers"),
                         roster_consumer=f"vouchers.{groups}.roster")
    ), keys))  # fmt: skip
    return cases, referrals, vouchers


async def serve_indicators(
    stack: contextlib.AsyncExitStack, kafka: KafkaEndpoint, keys: Keys, url: str, prefix: str
) -> RunningService:
    """The indicators service on the database `url`, its consumers named under `prefix`."""
    return await stack.enter_async_context(serve(lambda: indicators_app(
        IndicatorsSettings(database_url=url, **kafka.settings("indicators"),
                           consumer_prefix=prefix)
    ), keys))  # fmt: skip


async def serve_from_now(
    stack: contextlib.AsyncExitStack,
    kafka: KafkaEndpoint,
    keys: Keys,
    urls: Sequence[str],
    groups: str,
) -> Four:
    """The four services on the fresh databases `urls[0:4]`, their consumers (named with
    `groups`, as `serve_writers` names them; the indicators' under `indicators.<groups>`)
    beginning after what earlier modules wrote: the figures and rosters are the test's own, and
    no service replays the session's history at start (`start_at_end`)."""
    copies = {
        1: [f"referrals.{groups}.consent", f"referrals.{groups}.roster"],
        2: [f"vouchers.{groups}.roster"],
        3: indicators_consumers(f"indicators.{groups}"),
    }
    for db, consumers in copies.items():
        await start_at_end(urls[db], consumers, kafka.admin, SOURCE_TOPICS)
    writers = await serve_writers(stack, kafka, keys, urls, groups)
    return *writers, await serve_indicators(stack, kafka, keys, urls[3], f"indicators.{groups}")
