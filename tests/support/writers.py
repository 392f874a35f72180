"""The three services that take commands (cases, referrals, vouchers), served together in a
test's exit stack on the test's real PostgreSQL and Kafka."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from services.cases.app import CasesSettings
from services.cases.app import create_app as cases_app
from services.referrals.app import ReferralsSettings
from services.referrals.app import create_app as referrals_app
from services.vouchers.app import VouchersSettings
from services.vouchers.app import create_app as vouchers_app
from tests.support.infrastructure import KafkaEndpoint
from tests.support.services import Keys, RunningService, serve


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
