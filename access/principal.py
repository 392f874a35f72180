"""Who is calling: the principal a verified token describes, checked for consistency."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from contracts.vocabulary import Region
from program.load import current_program

_E = TypeVar("_E", bound=StrEnum)

__all__ = ["BreakGlassGrant", "InconsistentClaims", "Principal", "Region", "Role"]


class Role(StrEnum):
    """What a caller does in the program (domain brief, section 1)."""

    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    ME_OFFICER = "me_officer"
    ADMINISTRATOR = "administrator"
    CLINIC = "clinic"
    RECEIVING_SERVICE = "receiving_service"
    VIEWER = "viewer"


class InconsistentClaims(ValueError):
    """The token is genuine but does not describe a principal this system can act for."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BreakGlassGrant:
    """Time-limited access to one region outside a supervisor's own.

    It carries no reason: the written reason lives only in the audit record `grant_id` names.
    """

    grant_id: str
    region: Region
    expires_at: datetime

    def active(self, now: datetime) -> bool:
        """Whether the grant still holds at `now` (it expires by itself, nobody revokes it)."""
        return now < self.expires_at


@dataclass(frozen=True)
class Principal:
    """The caller, as established by a verified token."""

    subject: str
    organization_id: str
    role: Role
    regions: frozenset[Region] = frozenset()
    provider_id: str | None = None
    unit_id: str | None = None
    grants: tuple[BreakGlassGrant, ...] = ()
    as_of: datetime | None = field(default=None, compare=False)
    """The time of the request it acts in (the app's clock, set by `access.fastapi.caller`):
    its grants were loaded as active then, and `access.policy.decide` judges them at it."""

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        """Build a principal from verified claims; raise `InconsistentClaims` with the reason.

        Claims: `sub`, `org`, `role`, `regions` (list), `provider_id`, `unit_id`. A
        `break_glass` claim is ignored: a token grants nothing beyond its role and regions;
        grants exist only in the service's database (`access.grants`, added with `with_grant`).
        """
        role = _parse(Role, _text(claims, "role", required=True), "role")
        principal = cls(
            subject=_text(claims, "sub", required=True) or "",
            organization_id=_text(claims, "org", required=True) or "",
            role=role,
            regions=frozenset(_region(r) for r in _list(claims, "regions")),
            provider_id=_text(claims, "provider_id"),
            unit_id=_text(claims, "unit_id"),
        )
        principal.check()
        return principal

    def check(self) -> None:
        """Raise `InconsistentClaims` when the role lacks what it needs to act at all."""
        if self.role is Role.CLINIC and not self.provider_id:
            raise InconsistentClaims("a clinic principal needs a provider_id")
        if self.role is Role.RECEIVING_SERVICE and not self.unit_id:
            raise InconsistentClaims("a receiving_service principal needs a unit_id")
        if self.role in (Role.CASEWORKER, Role.SUPERVISOR) and not self.regions:
            raise InconsistentClaims(f"a {self.role} principal needs at least one region")
        if self.grants and self.role is not Role.SUPERVISOR:
            raise InconsistentClaims("only a supervisor can hold break-glass grants")

    def with_grant(self, grant: BreakGlassGrant) -> Principal:
        """The same principal holding one more grant (loaded from the service's database)."""
        extended = replace(self, grants=(*self.grants, grant))
        extended.check()
        return extended


def _text(claims: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = claims.get(name)
    if value is None or value == "":
        if required:
            raise InconsistentClaims(f"claim {name!r} is missing")
        return None
    if not isinstance(value, str):
        raise InconsistentClaims(f"claim {name!r} must be a string")
    return value


def _list(claims: Mapping[str, Any], name: str) -> list[Any]:
    value = claims.get(name, [])
    if not isinstance(value, list):
        raise InconsistentClaims(f"claim {name!r} must be a list")
    return value


def _parse(enum: type[_E], value: object, what: str) -> _E:
    try:
        return enum(str(value))
    except ValueError:
        # The unknown value itself is left out: the reason reaches HTTP answers and logs.
        raise InconsistentClaims(f"unknown {what}") from None


def _region(value: object) -> Region:
    # A region claim names a territory of the deployment's program (where acts are recorded).
    if str(value) not in current_program().codes("territory"):
        raise InconsistentClaims("unknown region")
    return str(value)
