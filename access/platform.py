"""What access control adds to every service app, handed to `eventkit.service.create_service_app`
by each service's composition root: the audit log (its tables, the service role's access to them
through their functions, the chainer linking records), break-glass grants (table and routes),
the audit of every 403, and the verified subject a slow client counts as."""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI

from access.audit import AUDIT_DDL, grant_audit_access
from access.audit_chainer import AuditChainer
from access.fastapi import audit_refusals, subject_or_address
from access.grants import GRANTS_DDL
from access.grants_api import use_grants
from eventkit.service import Extension, Worker
from eventkit.settings import ServiceSettings


def _chainer(pool: asyncpg.Pool, _: ServiceSettings) -> Worker:
    return AuditChainer(pool)


def _install(app: FastAPI) -> None:
    use_grants(app)
    audit_refusals(app)


def access_extension() -> Extension:
    """Audit and break-glass grants for a service app (every service has both)."""
    return Extension(
        ddl=(AUDIT_DDL, GRANTS_DDL),
        role_grants=(grant_audit_access,),
        workers=(_chainer,),
        install=_install,
        client_of=subject_or_address,
    )
