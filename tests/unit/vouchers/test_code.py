"""Voucher codes catch typing mistakes and read forgivingly."""

from __future__ import annotations

import itertools

from services.vouchers.code import ALPHABET, new_code, normalize, qr_payload


def test_a_new_code_is_valid_and_formatted_for_people() -> None:
    code = new_code()
    assert len(code) == 13
    assert code[4] == code[9] == "-"
    assert normalize(code) == code


def test_every_single_mistyped_symbol_is_caught() -> None:
    code = new_code()
    raw = code.replace("-", "")
    for position, symbol in itertools.product(range(len(raw)), ALPHABET):
        if raw[position] != symbol:
            typo = raw[:position] + symbol + raw[position + 1 :]
            assert normalize(typo) is None, typo


def test_most_neighbour_swaps_are_caught() -> None:
    caught = total = 0
    for _ in range(200):
        raw = new_code().replace("-", "")
        for i in range(len(raw) - 1):
            if raw[i] != raw[i + 1]:
                total += 1
                swapped = raw[:i] + raw[i + 1] + raw[i] + raw[i + 2 :]
                caught += normalize(swapped) is None
    assert caught / total > 0.95


def test_input_is_forgiving_and_the_qr_payload_reads_back() -> None:
    code = new_code()
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalize(sloppy) == code
    assert normalize(qr_payload(code)) == code
