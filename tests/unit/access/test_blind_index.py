"""Blind indexes: one value per number however it is written, and nothing without the key."""

from __future__ import annotations

import os

import pytest

from access.blind_index import Kind, blind_index, normalize

KEY = bytes(range(32))


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("12345678", "12345678"),
        ("01234567", "01234567"),  # DNI leading zeros are part of the number
        (" 1234 5678 ", "12345678"),
        ("V-12.345.678", "V12345678"),
        ("v 12345678", "V12345678"),
        ("001-234/567", "001234567"),
        ("\uff21\uff22\uff11\uff12\uff13", "AB123"),  # full-width, from some phone keyboards
    ],
)
def test_document_normalization(written: str, normal: str) -> None:
    assert normalize(Kind.DOCUMENT, written) == normal


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("987 654 321", "51987654321"),
        ("987-654-321", "51987654321"),
        ("+51 987 654 321", "51987654321"),
        ("0051 987654321", "51987654321"),
        ("51987654321", "51987654321"),
        ("(01) 426-1234", "5114261234"),  # Lima landline: trunk 0 dropped, area code 1 kept
        ("+58 414-123.4567", "584141234567"),
        ("0058 4141234567", "584141234567"),
    ],
)
def test_phone_normalization(written: str, normal: str) -> None:
    assert normalize(Kind.PHONE, written) == normal


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (Kind.DOCUMENT, ""),
        (Kind.DOCUMENT, " - . "),
        (Kind.DOCUMENT, "1234#5678"),
        (Kind.DOCUMENT, "ÑA123"),
        (Kind.PHONE, "987 654 32x"),
        (Kind.PHONE, "12"),
        (Kind.PHONE, "+1234567890123456"),
        (Kind.PHONE, "98+7654321"),
    ],
)
def test_what_is_not_a_number_is_refused(kind: Kind, value: str) -> None:
    with pytest.raises(ValueError, match=r"has only|has 8 to 15 digits"):
        normalize(kind, value)


def test_equal_numbers_share_an_index_and_different_ones_do_not() -> None:
    one = blind_index(Kind.PHONE, "+51 987 654 321", key=KEY)
    assert one == blind_index(Kind.PHONE, "987654321", key=KEY)
    assert one != blind_index(Kind.PHONE, "987654322", key=KEY)
    assert len(one) == 64


def test_the_kind_separates_equal_digits() -> None:
    assert blind_index(Kind.DOCUMENT, "51987654321", key=KEY) != blind_index(
        Kind.PHONE, "51987654321", key=KEY
    )


def test_the_index_depends_on_the_key_and_does_not_contain_the_value() -> None:
    other = os.urandom(32)
    index = blind_index(Kind.DOCUMENT, "12345678", key=KEY)
    assert index != blind_index(Kind.DOCUMENT, "12345678", key=other)
    assert "12345678" not in index


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        blind_index(Kind.DOCUMENT, "12345678", key=b"short")
