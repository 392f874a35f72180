"""A service's refusal as the page tells it: the rule's label in the person's language when the
catalog has one, the service's own words otherwise; a stale `If-Match` as "someone changed it"."""

from __future__ import annotations

import httpx

from web import i18n
from web.services import refusal


def test_a_version_conflict_is_told_as_someone_else_changing_the_record() -> None:
    answer = httpx.Response(
        409, json={"detail": "expected version 2, found 3", "current_version": 3}
    )
    refused = refusal(answer)
    assert (refused.status, refused.rule) == (409, "version_mismatch")
    assert "Otra persona cambió este registro" in i18n.translate("es", f"rule.{refused.rule}")


def test_a_rule_and_a_validation_list_keep_their_words() -> None:
    detail = {"rule": "not_awaiting_approval", "message": "the voucher is active"}
    ruled = refusal(httpx.Response(409, json={"detail": detail}))
    assert (ruled.rule, ruled.message) == ("not_awaiting_approval", "the voucher is active")
    assert i18n.translate("en", "rule.not_awaiting_approval").startswith("The voucher no longer")
    listed = refusal(httpx.Response(422, json={"detail": [{"msg": "Field required"}]}))
    assert (listed.rule, listed.message) == (None, "Field required")
