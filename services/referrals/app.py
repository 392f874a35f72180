"""Composition root of the referrals service."""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI

from access.audit import AUDIT_DDL
from access.audit_query import audit_query_router
from access.fastapi import use_verifier
from access.platform import access_extension
from access.settings import PersonalDataKeys, TokenSettings
from eventkit.clock import Now, utc_now
from eventkit.openapi_links import document_links
from eventkit.schema import CONSUMER_DDL, STORE_DDL
from eventkit.service import Worker, create_service_app
from eventkit.settings import ServiceSettings
from program.load import current_program
from program.stored import history_kept
from roster.feed import roster_worker
from roster.schema import ROSTER_DDL
from services.referrals import shared_data
from services.referrals.deadlines import Deadlines
from services.referrals.directory_api import router as directory_router
from services.referrals.links import LINKS
from services.referrals.schema import ALL_DDL
from services.referrals.settings import ReferralsSettings as ReferralsSettings  # re-exported
from services.referrals.team_api import router as team_router
from services.referrals.unit_api import router as unit_router
from services.referrals.workers import consent_worker, overdue_worker

AUDITED = {  # what `GET /audit` answers for, and where each one's region is (the latest)
    "referral": "SELECT region FROM referrals WHERE referral_id = $1",
    "participant": "SELECT region FROM referrals WHERE participant_id = $1"
    " ORDER BY requested_at DESC LIMIT 1",
}


def create_app(settings: ReferralsSettings | None = None, clock: Now = utc_now) -> FastAPI:
    """Build the referrals API; `clock` is injectable so tests control deadlines."""
    settings = settings or ReferralsSettings()
    current_program()  # a broken program file (PANA_PROGRAM_FILE) stops start-up
    deadlines = Deadlines(settings.referral_deadline_hours)
    master = PersonalDataKeys().master()
    interval = settings.overdue_interval_seconds

    def overdue(pool: asyncpg.Pool, _: ServiceSettings) -> Worker:
        worker = overdue_worker(pool, master, clock, interval)
        app.state.overdue = worker
        return worker

    app = create_service_app(
        settings,
        title="Pana referrals",
        description=(
            "Closed-loop referrals to the program's referral destinations (protection, health,"
            " legal and other services), answered by the receiving units."
        ),
        routers=[team_router, unit_router, directory_router],
        ddl=(STORE_DDL, CONSUMER_DDL, AUDIT_DDL, ROSTER_DDL, *ALL_DDL),
        workers=[
            overdue,
            consent_worker(settings.consent_consumer),
            roster_worker(settings.roster_consumer, on_erased=shared_data.forgetting(clock)),
            history_kept,
        ],
        copies=(settings.consent_consumer, settings.roster_consumer),
        extensions=[access_extension()],
        clock=clock,
    )
    app.state.settings = settings
    app.include_router(audit_query_router(AUDITED))
    app.state.deadlines = deadlines
    app.state.master_key = master
    use_verifier(app, TokenSettings().verifier())
    document_links(app, LINKS)
    return app
