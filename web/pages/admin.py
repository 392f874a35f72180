"""Administrator: the directories of clinics and receiving units (with CSV import), a region's
budget, break-glass review and audit queries, each through the services' own APIs."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import Response

from deploy.ops.directory import PROVIDER_COLUMNS, read_rows, unit_rows
from web.amounts import amount as typed_amount
from web.context import SignedIn
from web.days import typed_day
from web.services import ServiceRefusal
from web.vocabulary import REGIONS

router = APIRouter(prefix="/admin")
Text = Annotated[str, Form()]
AUDITED = ("cases", "referrals", "vouchers")


async def _page(signed: SignedIn, **extra: Any) -> Response:
    call = signed.services.call
    providers = await call(signed.token, "vouchers", "GET", "/providers")
    units = await call(signed.token, "referrals", "GET", "/units")
    grants = {}
    for service in AUDITED:
        answer = await call(signed.token, service, "GET", "/break-glass/grants",
                            params={"days": 30})  # fmt: skip
        grants[service] = answer.get("grants", [])
    return signed.render("admin.html", providers=providers, units=units, grants=grants,
                         regions=REGIONS, services=AUDITED, **extra)  # fmt: skip


@router.get("")
async def admin(signed: SignedIn) -> Response:
    return await _page(signed)


@router.post("/directorio")
async def import_directory(signed: SignedIn, csrf: Text, kind: Text, file: UploadFile) -> Response:
    """Rows of a CSV (the `pana-ops load-providers` / `load-units` format), one POST each."""
    signed.check_csrf(csrf)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "directory.csv"
        path.write_bytes(await file.read())
        try:
            rows = unit_rows(path) if kind == "units" else read_rows(path, PROVIDER_COLUMNS)
        except (ValueError, UnicodeDecodeError) as bad:
            return await _page(signed, imported=[str(bad)])
    service, target = ("referrals", "/units") if kind == "units" else ("vouchers", "/providers")
    report = []
    for number, row in enumerate(rows, start=2):
        try:
            await signed.services.call(signed.token, service, "POST", target, json=row)
            report.append(signed.t("admin.line_added", line=number, name=row.get("name", "")))
        except ServiceRefusal as refused:
            reason = signed.refusal_text(refused)
            report.append(signed.t("admin.line_refused", line=number, reason=reason))
    return await _page(signed, imported=report)


@router.post("/presupuesto")
async def budget(signed: SignedIn, csrf: Text, region: Text, period_start: Text,
                 period_end: Text, amount: Text) -> Response:  # fmt: skip
    signed.check_csrf(csrf)
    typed = {"period_start": period_start, "period_end": period_end}
    if (read := typed_amount(amount)) is None:
        return await _page(signed, budget_result=signed.t("amount.bad"), budget_form=typed)
    start, end = typed_day(period_start), typed_day(period_end)
    if start is None or end is None:
        field, value = ("start", period_start) if start is None else ("end", period_end)
        bad = signed.t("day.bad", field=signed.t(f"admin.period_{field}"), value=value)
        return await _page(signed, budget_result=bad, budget_form=typed)
    body = {"amount": read, "period_end": end.isoformat()}
    try:
        await signed.services.call(signed.token, "vouchers", "PUT",
                                   f"/budgets/{region}/{start.isoformat()}", json=body)  # fmt: skip
    except ServiceRefusal as refused:
        return await _page(signed, budget_result=signed.refusal_text(refused), budget_form=typed)
    return await _page(signed, budget_result=signed.t("admin.budget_saved"))


@router.get("/auditoria")
async def audit(signed: SignedIn, service: str, resource_type: str, resource_id: str) -> Response:
    """Who touched a record (the service's hash-chained audit log)."""
    found: dict[str, Any] | None = None
    refusal = None
    try:
        found = await signed.services.call(
            signed.token, service if service in AUDITED else "cases", "GET", "/audit",
            params={"resource_type": resource_type, "resource_id": resource_id.strip()},
        )  # fmt: skip
    except ServiceRefusal as refused:
        refusal = refused
    return await _page(signed, audit=found, refusal=refusal)
