"""A refusal's kind is the only thing the HTTP edge reads to choose its status."""

from __future__ import annotations

from fastapi import HTTPException

from eventkit.decider import RefusalKind, Refused
from eventkit.http import REFUSAL_STATUS, refused


def test_every_kind_has_one_status() -> None:
    assert REFUSAL_STATUS == {
        RefusalKind.NOT_FOUND: 404,
        RefusalKind.CONFLICT: 409,
        RefusalKind.INVALID: 422,
        RefusalKind.FORBIDDEN: 403,
    }


def test_a_refusal_answers_with_its_kinds_status_rule_and_retry_after() -> None:
    answer = refused(Refused("copy_behind", "not yet", RefusalKind.CONFLICT, retry_after=2))
    assert isinstance(answer, HTTPException)
    assert answer.status_code == 409
    detail: object = answer.detail
    assert detail == {"rule": "copy_behind", "message": "not yet"}
    assert answer.headers == {"Retry-After": "2"}


def test_without_retry_after_there_is_no_header() -> None:
    answer = refused(Refused("voucher_not_found", "no such voucher", RefusalKind.NOT_FOUND))
    assert (answer.status_code, answer.headers) == (404, None)
