"""The service's database role owns no table (issue 20, point 6): it cannot disable the audit
triggers, type a record into the inbox, or delete from it; it appends and chains only through the
owner's functions, whose SQL hash is the one `verify` checks."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import pytest

from access.audit import AUDIT_DDL, append, chain_pending, grant_audit_access, verify
from access.audit_chain import GENESIS_HASH, AuditRecord, record_hash
from access.grants import GRANTS_DDL
from deploy.local.postgres import ensure_service_role, url_as
from eventkit.schema import STORE_DDL
from eventkit.service import migrate_as_owner
from tests.support.infrastructure import PostgresEndpoint

pytestmark = pytest.mark.integration


DDL = (STORE_DDL, AUDIT_DDL, GRANTS_DDL)


@dataclass
class Roles:
    owner: asyncpg.Connection
    service: asyncpg.Connection
    owner_url: str
    role: str


@pytest.fixture
async def roles(postgres: PostgresEndpoint) -> AsyncIterator[Roles]:
    """A database migrated by its owner; a connection as the owner and one as the service."""
    name = f"t_roles_{uuid.uuid4().hex[:8]}"
    role = f"svc_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(postgres.url("postgres"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        await ensure_service_role(postgres.server_url, role, "secret-for-tests", name)
        await migrate_as_owner(postgres.url(name), DDL, role, (grant_audit_access,))
        owner = await asyncpg.connect(postgres.url(name))
        service = await asyncpg.connect(url_as(postgres.server_url, role, "secret-for-tests", name))
        try:
            yield Roles(owner, service, postgres.url(name), role)
        finally:
            await service.close()
            await owner.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        await admin.close()


RECORD = AuditRecord("user-1", "ngo", "caseworker", "case.read_sensitive", "case", "c-1", "done")


async def test_the_service_role_cannot_disable_the_audit_triggers(roles: Roles) -> None:
    for table in ("audit_log", "audit_inbox"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="must be owner"):
            await roles.service.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await roles.service.execute("DROP TABLE audit_log")


async def test_only_the_append_path_adds_and_nothing_deletes_the_inbox(roles: Roles) -> None:
    await append(roles.service, RECORD)  # the service's own path works
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await roles.service.execute(
            "INSERT INTO audit_inbox (recorded_at, actor_subject, actor_org, actor_role, action,"
            " resource_type, resource_id, outcome) VALUES (now(), 'x', 'x', 'x', 'x', 'x', 'x',"
            " 'done')"
        )
    refused = (
        "DELETE FROM audit_inbox",
        "TRUNCATE audit_inbox",
        "UPDATE audit_inbox SET actor_subject = 'someone else'",
        "DELETE FROM audit_log",
        "INSERT INTO audit_log SELECT * FROM audit_log",
    )
    for statement in refused:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await roles.service.execute(statement)
    assert await roles.service.fetchval("SELECT count(*) FROM audit_inbox") == 1
    assert await chain_pending(roles.service) == 1
    result = await verify(roles.service)
    assert (result.ok, result.records) == (True, 1)


async def test_a_look_alike_table_does_not_divert_the_chain(roles: Roles) -> None:
    """The SECURITY DEFINER functions resolve their tables in `public`, never in the caller's
    temporary schema (PostgreSQL searches pg_temp first unless told otherwise)."""
    await roles.service.execute(
        "CREATE TEMP TABLE audit_log (LIKE public.audit_log);"
        " CREATE TEMP TABLE audit_inbox (LIKE public.audit_inbox INCLUDING ALL)"
    )
    await append(roles.service, RECORD)
    assert await chain_pending(roles.service) == 1
    assert await roles.owner.fetchval("SELECT count(*) FROM public.audit_log") == 1
    assert await roles.service.fetchval("SELECT count(*) FROM pg_temp.audit_log") == 0
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await roles.service.execute("CREATE FUNCTION public.to_json(text) RETURNS json"
                                    " LANGUAGE sql AS 'SELECT NULL::json'")  # fmt: skip


async def test_the_service_role_still_writes_its_own_data(roles: Roles) -> None:
    await roles.service.execute("INSERT INTO streams VALUES ('s-1', 1)")
    await roles.service.execute("UPDATE streams SET version = 2 WHERE stream_id = 's-1'")
    await roles.service.execute("DELETE FROM streams")
    owner = await roles.owner.fetchval(
        "SELECT tableowner FROM pg_tables WHERE tablename = 'events'"
    )
    assert owner != await roles.service.fetchval("SELECT current_user")
    owned = await roles.service.fetchval(
        "SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole"
    )
    assert owned == 0


async def test_the_service_role_cannot_mark_a_schema_applied(roles: Roles) -> None:
    """A forged digest would keep the next version's DDL from running; a deleted one only makes
    the owner run it again. The service's role can do neither."""
    for statement in (
        "INSERT INTO schema_applied (digest) VALUES ('forged')",
        "DELETE FROM schema_applied",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await roles.service.execute(statement)
    assert await roles.owner.fetchval("SELECT count(*) FROM schema_applied") == 1


async def test_a_restart_gives_the_service_a_read_model_the_owner_rebuilt(roles: Roles) -> None:
    """`pana-ops rebuild` drops a read model and creates it again as the owner; the service's
    next start applies no DDL (its schema is unchanged) but gives its role the new tables."""
    await roles.owner.execute(
        "CREATE SCHEMA rebuilt; CREATE TABLE rebuilt.cells (n bigserial PRIMARY KEY)"
    )
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await roles.service.execute("INSERT INTO rebuilt.cells DEFAULT VALUES")
    await migrate_as_owner(roles.owner_url, DDL, roles.role, (grant_audit_access,))
    await roles.service.execute("INSERT INTO rebuilt.cells DEFAULT VALUES")
    assert await roles.service.fetchval("SELECT count(*) FROM rebuilt.cells") == 1
    assert await roles.owner.fetchval("SELECT count(*) FROM schema_applied") == 1


@pytest.mark.parametrize(
    "text",
    [
        'quote " and \\ backslash',
        "línea\nnueva\ttab\r\x01\x1f\x7f",
        "emoji 🚑 and  \u2028",
        "",
        "null-purpose",
    ],
)
async def test_the_sql_hash_is_the_python_hash(roles: Roles, text: str) -> None:
    purpose = None if text == "null-purpose" else text
    record = AuditRecord(text or "u", "ngo-é", "supervisor", "a.b", "case", text, "done", purpose)
    at = datetime(2026, 3, 1, 12, 0, 0, 0, tzinfo=UTC)
    sql = await roles.owner.fetchval(
        "SELECT audit_record_hash($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        7, at, *record.values(), GENESIS_HASH,
    )  # fmt: skip
    assert sql == record_hash(7, at, record, GENESIS_HASH)
