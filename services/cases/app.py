"""Composition root of the cases service."""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI

from access.audit import AUDIT_DDL
from access.audit_query import audit_query_router
from access.fastapi import use_verifier
from access.platform import access_extension
from access.settings import PersonalDataKeys, TokenSettings
from eventkit.openapi_links import document_links
from eventkit.schema import STORE_DDL
from eventkit.service import Worker, create_service_app
from eventkit.settings import ServiceSettings
from program.load import current_program
from program.stored import history_kept
from services.cases.acts_api import router as acts
from services.cases.case_records_api import router as case_records
from services.cases.cases_api import router as cases
from services.cases.consent_api import router as consents
from services.cases.field_forms.intake_api import router as field_intake
from services.cases.field_forms.review_api import router as field_review
from services.cases.field_forms.schema import FIELD_FORMS_DDL
from services.cases.field_forms.settings import FieldFormsSettings
from services.cases.field_forms.workers import central_puller
from services.cases.group_activities_api import router as group_activities
from services.cases.links import LINKS
from services.cases.participants_api import router as participants
from services.cases.schema import CASES_DDL
from services.cases.settings import CasesSettings as CasesSettings  # re-exported

AUDITED = {  # what `GET /audit` answers for, and where each one's region is
    "participant": "SELECT region FROM participants WHERE participant_id = $1",
    "case": "SELECT region FROM cases WHERE case_id = $1",
}


def create_app(settings: CasesSettings | None = None) -> FastAPI:
    """Build the cases API.

    Needs `PANA_PERSONAL_DATA_MASTER_KEY` and `PANA_PERSONAL_DATA_BLIND_INDEX_KEY` (no defaults:
    a default key would be a published key) and the token settings (`PANA_AUTH_*`).
    """
    settings = settings or CasesSettings()
    current_program()  # a broken program file (PANA_PROGRAM_FILE) stops start-up

    def pulling(pool: asyncpg.Pool, _: ServiceSettings) -> Worker:
        state = app.state  # read when the worker starts: tests replace the field settings
        return central_puller(
            pool, lambda: state.field_forms, lambda: state.personal_data_keys, state.clock
        )

    app = create_service_app(
        settings,
        title="Pana cases",
        description=(
            "Case management: participants (personal data encrypted, never published), consent,"
            " cases, services delivered, outreach, livelihoods, legal complaints."
        ),
        routers=[
            participants,
            consents,
            cases,
            case_records,
            acts,
            field_intake,
            field_review,
            group_activities,
        ],
        ddl=(STORE_DDL, AUDIT_DDL, CASES_DDL, FIELD_FORMS_DDL),
        workers=[history_kept, pulling],
        extensions=[access_extension()],
    )
    app.state.settings = settings
    app.include_router(audit_query_router(AUDITED))
    app.state.personal_data_keys = PersonalDataKeys()  # from the environment
    app.state.field_forms = FieldFormsSettings()  # forms' secrets, enumerators, ODK Central
    use_verifier(app, TokenSettings().verifier())
    document_links(app, LINKS)
    return app
