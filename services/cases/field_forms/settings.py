"""Which forms may send, with which secret; who each enumerator account is on the platform;
where ODK Central is. Read from `PANA_FIELD_*` (JSON values), e.g.

    PANA_FIELD_FORMS='{"pana_outreach": {"token": "..."}}'
    PANA_FIELD_ENUMERATORS='{"kobo:ana_field": {"subject": "ana", "organization_id": "pana",
                             "regions": ["north"]}}'
    PANA_FIELD_CENTRAL='{"url": "https://central.example.org", "project_id": 3, "token": "..."}'
"""

from __future__ import annotations

import hmac
from typing import Self

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from access.principal import Principal, Region, Role


class FieldForm(BaseModel):
    """A deployed form: the secret its server sends in `Pana-Form-Token`."""

    token: SecretStr = Field(min_length=24)


class Enumerator(BaseModel):
    """The platform principal an account on Kobo or ODK Central acts as."""

    subject: str
    organization_id: str
    role: Role = Role.CASEWORKER
    regions: list[Region] = Field(min_length=1)

    @model_validator(mode="after")
    def _acts(self) -> Self:
        self.principal()  # a role that cannot act (a clinic without a provider) fails at start
        return self

    def principal(self) -> Principal:
        principal = Principal(self.subject, self.organization_id, self.role,
                              frozenset(self.regions))  # fmt: skip
        principal.check()
        return principal


_KINDS = ("registration", "services", "outreach", "livelihood")


class Central(BaseModel):
    """An ODK Central project to pull submissions from, with an API token (an app user's or a
    web user's session token)."""

    url: str
    project_id: int
    token: SecretStr
    forms: list[str] = Field(default_factory=lambda: [f"pana_{kind}" for kind in _KINDS])


class FieldFormsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PANA_FIELD_", extra="ignore")

    forms: dict[str, FieldForm] = {}
    enumerators: dict[str, Enumerator] = {}
    central: Central | None = None
    pull_interval_seconds: float = Field(300, gt=0)

    def sender_may_send(self, form_id: str, token: str | None) -> bool:
        """Whether `token` is `form_id`'s secret (constant time; an unknown form never is)."""
        form = self.forms.get(form_id)
        expected = form.token.get_secret_value() if form else "-" * 24
        given = (token or "").encode()
        return hmac.compare_digest(given, expected.encode()) and form is not None

    def principal(self, enumerator: str | None) -> Principal | None:
        mapped = self.enumerators.get(enumerator or "")
        return mapped.principal() if mapped else None
