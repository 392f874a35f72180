"""Composition root of the vouchers service."""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI

from access.audit import AUDIT_DDL
from access.audit_query import audit_query_router
from access.fastapi import use_verifier
from access.platform import access_extension
from access.settings import TokenSettings
from eventkit.openapi_links import document_links
from eventkit.schema import CONSUMER_DDL, STORE_DDL
from eventkit.service import Worker, create_service_app
from eventkit.settings import ServiceSettings
from program.load import current_program
from program.stored import history_kept
from roster.feed import roster_worker
from roster.schema import ROSTER_DDL
from services.vouchers.api import router
from services.vouchers.links import LINKS
from services.vouchers.schema import VOUCHERS_DDL
from services.vouchers.settings import VouchersSettings as VouchersSettings  # re-exported
from services.vouchers.workers import expiry_worker

AUDITED = {  # what `GET /audit` answers for, and where each one's region is (the latest)
    "voucher": "SELECT region FROM vouchers WHERE voucher_id = $1",
    "participant": "SELECT region FROM vouchers WHERE participant_id = $1"
    " ORDER BY issued_at DESC LIMIT 1",
}


def create_app(settings: VouchersSettings | None = None) -> FastAPI:
    """Build the vouchers API."""
    settings = settings or VouchersSettings()
    current_program()  # a broken program file (PANA_PROGRAM_FILE) stops start-up
    interval = settings.expiry_interval_seconds

    def expiry(pool: asyncpg.Pool, _: ServiceSettings) -> Worker:
        return expiry_worker(pool, app.state.clock, interval)

    app = create_service_app(
        settings,
        title="Pana vouchers",
        description=(
            "Health vouchers issued by caseworkers and redeemed by partner clinics; reconciliation."
        ),
        routers=[router],
        ddl=(STORE_DDL, CONSUMER_DDL, AUDIT_DDL, ROSTER_DDL, VOUCHERS_DDL),
        workers=[
            expiry,
            roster_worker(settings.roster_consumer),  # no personal data to forget
            history_kept,
        ],
        copies=(settings.roster_consumer,),
        extensions=[access_extension()],
    )
    app.state.settings = settings
    app.include_router(audit_query_router(AUDITED))
    use_verifier(app, TokenSettings().verifier())
    document_links(app, LINKS)
    return app
