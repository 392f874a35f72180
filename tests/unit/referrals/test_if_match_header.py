"""`If-Match` read as the stream version the client saw."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from eventkit.http import expected_version
from services.referrals.routing import etag


@pytest.mark.parametrize(
    ("header", "version"), [(None, None), ('"3"', 3), ('W/"12"', 12), ("7", 7)]
)
def test_a_version_in_any_usual_form(header: str | None, version: int | None) -> None:
    assert expected_version(header) == version


@pytest.mark.parametrize("header", ['"three"', '"-1"', '"1234567890"', ""])
def test_anything_else_is_refused(header: str) -> None:
    with pytest.raises(HTTPException) as refused:
        expected_version(header)
    assert refused.value.status_code == 422
    detail: object = refused.value.detail
    assert detail == {"rule": "invalid_if_match", "message": 'If-Match must be a version, e.g. "3"'}


def test_the_etag_a_read_sends_is_what_if_match_reads_back() -> None:
    assert expected_version(etag(5)) == 5
