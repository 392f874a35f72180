"""`GET /audit`: who read or changed a participant, case, referral or voucher, and when.

For the data protection officer (administrators, any resource) and the supervisors of the
resource's region (`audit.query`). Each service says which resource types it answers for and
where each one's region is found; a resource this service does not know (erased, or held
elsewhere) has no region, so only administrators may ask about it. Records still waiting in the
inbox are included (no sequence yet). The query is itself audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from access.principal import Region
from eventkit.dependencies import Pool

RegionQueries = Mapping[str, str]
"""resource type -> SQL taking the id ($1, uuid) and answering the resource's region."""

_RECORDS = """
SELECT sequence, recorded_at, actor_subject, actor_org, actor_role, action, resource_type,
       resource_id, outcome, purpose
FROM (
    SELECT sequence, recorded_at, actor_subject, actor_org, actor_role, action, resource_type,
           resource_id, outcome, purpose FROM audit_log
    UNION ALL
    SELECT NULL, recorded_at, actor_subject, actor_org, actor_role, action, resource_type,
           resource_id, outcome, purpose FROM audit_inbox
) AS everything
WHERE (resource_type = $1 AND resource_id = $2)
   OR (resource_type = 'request' AND resource_id LIKE '% /%' || $2 || '%')
ORDER BY recorded_at DESC, sequence DESC NULLS FIRST
LIMIT $3
"""
# `request` records (break-glass uses) name the path, which holds the id.


def audit_query_router(regions: RegionQueries) -> APIRouter:
    """`GET /audit` for the resource types in `regions`."""
    router = APIRouter(tags=["access"])
    known = ", ".join(sorted(regions))

    @router.get(
        "/audit",
        summary="Who read or changed this resource: the audit records naming it (audited)",
    )
    async def who_touched(
        pool: Pool,
        principal: CurrentPrincipal,
        resource_type: str,
        resource_id: uuid.UUID,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> dict[str, Any]:
        if resource_type not in regions:
            detail = f"this service answers for resource types {known}"
            raise HTTPException(422, {"rule": "unknown_resource_type", "message": detail})
        region = await pool.fetchval(regions[resource_type], resource_id)
        scope = ResourceScope(region=Region(region) if region else None)
        grant = authorize(principal, "audit.query", scope).grant_id
        async with pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(_RECORDS, resource_type, str(resource_id), limit)
            record = AuditRecord.by(
                principal, "audit.query", (resource_type, str(resource_id)), "done", grant
            )
            await audit(conn, record)
        return {
            "resource_type": resource_type,
            "resource_id": str(resource_id),
            "records": [{**dict(r), "recorded_at": r["recorded_at"].isoformat()} for r in rows],
        }

    return router
