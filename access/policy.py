"""Authorization as data: which role may do which action, within which scope.

`POLICY` is the one place to read (and change) who may do what; `decide` applies it. Both are
pure: no database, no clock (a break-glass grant is judged at the time given, else at the
principal's `as_of`, the time of the request it acts in).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from access.principal import Principal, Region, Role


class Scope(StrEnum):
    """Which resources a role's permission reaches."""

    OWN_REGION = "own region"
    OWN_PROVIDER = "own provider"
    OWN_UNIT = "own unit"
    ANY = "any"


@dataclass(frozen=True)
class ResourceScope:
    """Where a resource belongs: what the scope rules compare with the principal."""

    region: Region | None = None
    provider_id: str | None = None
    unit_id: str | None = None


@dataclass(frozen=True)
class Decision:
    """Allowed or not, and why; `grant_id` names the break-glass grant that allowed it."""

    allowed: bool
    reason: str
    grant_id: str | None = None


CASEWORKER, SUPERVISOR, ME_OFFICER = Role.CASEWORKER, Role.SUPERVISOR, Role.ME_OFFICER
ADMINISTRATOR, CLINIC, RECEIVING, VIEWER = (
    Role.ADMINISTRATOR,
    Role.CLINIC,
    Role.RECEIVING_SERVICE,
    Role.VIEWER,
)
REGION, PROVIDER, UNIT, ANY = Scope.OWN_REGION, Scope.OWN_PROVIDER, Scope.OWN_UNIT, Scope.ANY

POLICY: Mapping[str, Mapping[Role, Scope]] = {
    # Case work: the region's team (caseworkers and their supervisor).
    "participant.register": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "participant.read_personal": {CASEWORKER: REGION, SUPERVISOR: REGION},
    # The cases service (issue 5): the region's team keeps its people's records and cases; any
    # caseworker may look a number up for deduplication (the answer names ids, never data);
    # erasing a person's data on request is a supervisor's act.
    "participant.correct": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "participant.merge": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "participant.search": {CASEWORKER: ANY, SUPERVISOR: ANY},
    "participant.erase": {SUPERVISOR: REGION},
    "consent.record": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "case.open": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "case.read_sensitive": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "case.update": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "case.list": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "service.deliver": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "outreach.record": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "group_activity.record": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "livelihood.record": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "referral.request": {CASEWORKER: REGION, SUPERVISOR: REGION},
    # The referring team follows its region's referrals, cancels them, and records the answer of
    # a unit without a system account (with evidence).
    "referral.read": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "referral.cancel": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "referral.record_answer": {CASEWORKER: REGION, SUPERVISOR: REGION},
    # A receiving service sees and answers only the referrals addressed to its unit.
    "referral.list_own": {RECEIVING: UNIT},
    "referral.answer": {RECEIVING: UNIT},
    # Vouchers: the team issues; amounts above the average need a supervisor; a clinic sees and
    # redeems only its provider's vouchers; a reversal (a payment undone) is an administrator's act.
    "voucher.issue": {CASEWORKER: REGION, SUPERVISOR: REGION},
    "voucher.approve": {SUPERVISOR: REGION},
    "voucher.read": {CASEWORKER: REGION, SUPERVISOR: REGION, CLINIC: PROVIDER},
    "voucher.redeem": {CLINIC: PROVIDER},
    # A clinic's claim past the claim window, recorded for it (eventkit.field_time; an import).
    "voucher.record_redemption": {SUPERVISOR: REGION},
    "voucher.reverse": {ADMINISTRATOR: ANY},
    # What the program owes a provider: the provider itself, its region's supervisor, M&E, admin.
    "voucher.reconcile": {
        CLINIC: PROVIDER,
        SUPERVISOR: REGION,
        ME_OFFICER: ANY,
        ADMINISTRATOR: ANY,
    },
    "voucher.fraud_signals": {SUPERVISOR: ANY, ME_OFFICER: ANY, ADMINISTRATOR: ANY},
    # Directories of providers and receiving units.
    "directory.manage": {ADMINISTRATOR: ANY},
    # Who reads them: the team that issues vouchers and refers people, and whoever keeps them;
    # M&E reconciles by provider, so reads providers, not units (whose contacts it never needs).
    # Clinics, receiving services and viewers act for themselves and read neither.
    "directory.read_providers": {
        CASEWORKER: ANY,
        SUPERVISOR: ANY,
        ME_OFFICER: ANY,
        ADMINISTRATOR: ANY,
    },
    "directory.read_units": {CASEWORKER: ANY, SUPERVISOR: ANY, ADMINISTRATOR: ANY},
    # Aggregates only: never a person.
    "indicators.read": {VIEWER: ANY, ME_OFFICER: ANY, SUPERVISOR: ANY, ADMINISTRATOR: ANY},
    # Exact counts in reports that have no suppressed form (the R4V 5W's year-to-date figures):
    # the roles of `access.disclosure.EXACT_ROLES`.
    "indicators.read_exact": {ME_OFFICER: ANY, ADMINISTRATOR: ANY},
    "audit.verify": {ADMINISTRATOR: ANY, ME_OFFICER: ANY},
    # Break-glass grants under review: who opened which, when, until when, whether used (the
    # written reason only to the region's supervisors and administrators, see access.grants).
    "break_glass.review": {SUPERVISOR: ANY, ADMINISTRATOR: ANY},
    # Who read or changed a person, case, referral or voucher: the region's supervisors and
    # administrators (the data protection officer), see access.audit_query.
    "audit.query": {SUPERVISOR: REGION, ADMINISTRATOR: ANY},
    # An act recorded long after it happened (eventkit.field_time): the act's own permission
    # scopes it; recording it late is a supervisor's (or an administrator's) call, audited.
    "entry.late": {SUPERVISOR: ANY, ADMINISTRATOR: ANY},
    # Bulk import (deploy/imports): a supervisor's rows of their own regions, sent as them.
    "import.run": {SUPERVISOR: REGION},
    # Field forms (issue 28): the blank forms hold no data; pulling from ODK Central starts the
    # intake; the region's supervisors review what could not be applied (its answers are personal).
    "field_forms.download": {CASEWORKER: ANY, SUPERVISOR: ANY},
    "field_submission.pull": {SUPERVISOR: ANY, ADMINISTRATOR: ANY},
    "field_submission.review": {SUPERVISOR: REGION},
}


def decide(
    principal: Principal,
    action: str,
    resource: ResourceScope,
    *,
    now: datetime | None = None,
) -> Decision:
    """Whether `principal` may do `action` on a resource in `resource`, and why.

    An unexpired break-glass grant extends a supervisor's regions; the decision names it. A
    grant is judged at `now`, else at `principal.as_of`; a principal holding a grant for the
    region with neither is a programming error (`ValueError`): the policy reads no clock.
    """
    rules = POLICY.get(action)
    if rules is None:
        return Decision(False, f"unknown action {action}")
    scope = rules.get(principal.role)
    if scope is None:
        return Decision(False, f"role {principal.role} may not {action}")
    if scope is Scope.ANY:
        return Decision(True, f"role {principal.role} may {action} in any scope")
    if scope is Scope.OWN_PROVIDER:
        return _same(principal.provider_id, resource.provider_id, "provider", action)
    if scope is Scope.OWN_UNIT:
        return _same(principal.unit_id, resource.unit_id, "receiving unit", action)
    return _in_region(principal, action, resource.region, now or principal.as_of)


def _same(own: str | None, resource: str | None, what: str, action: str) -> Decision:
    if resource is None:
        return Decision(False, f"the resource names no {what}, so {action} cannot be scoped")
    if own != resource:
        return Decision(False, f"the resource belongs to another {what}")
    return Decision(True, f"{action} on its own {what}'s resource")


def _in_region(
    principal: Principal, action: str, region: Region | None, now: datetime | None
) -> Decision:
    if region is None:
        return Decision(False, f"the resource names no region, so {action} cannot be scoped")
    if region in principal.regions:
        return Decision(True, f"{principal.role} may {action} in own region {region}")
    grants = [g for g in principal.grants if g.region == region]
    if not grants:
        return Decision(False, f"region {region} is outside the principal's regions")
    if now is None:
        raise ValueError("a break-glass grant is judged at a time: give `now` or `as_of`")
    for grant in grants:
        if grant.active(now):
            until = grant.expires_at.isoformat()
            reason = f"break-glass grant {grant.grant_id} allows region {region} until {until}"
            return Decision(True, reason, grant.grant_id)
    last = max(grants, key=lambda g: g.expires_at)
    expired = last.expires_at.isoformat()
    return Decision(False, f"break-glass grant {last.grant_id} expired at {expired}")


def policy_table() -> str:
    """`POLICY` as a Markdown table (action by role -> scope), as printed in the README."""
    roles = list(Role)
    lines = [
        "| action | " + " | ".join(r.value for r in roles) + " |",
        "| --- |" + " --- |" * len(roles),
    ]
    for action, rules in POLICY.items():
        cells = [rules[r].value if r in rules else "-" for r in roles]
        lines.append(f"| {action} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
