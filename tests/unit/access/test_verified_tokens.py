"""Verified tokens are remembered briefly, never past their expiry, and the memory is bounded."""

from __future__ import annotations

from access.principal import Principal, Role
from access.verified_tokens import VerifiedTokens
from tests.support.peru import Region

CLINIC = Principal("clinic-1", "ngo-pe", Role.CASEWORKER, frozenset({Region.PIURA}))


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_kept_token_is_found_until_its_expiry() -> None:
    clock = Clock()
    tokens = VerifiedTokens(max_age=60, clock=clock)
    tokens.keep("t", {"exp": clock.now + 10}, CLINIC)
    assert tokens.get("t") is CLINIC
    clock.now += 9.9
    assert tokens.get("t") is CLINIC
    clock.now += 0.1
    assert tokens.get("t") is None  # expired: verified again (and refused) by the caller


def test_a_long_lived_token_is_verified_again_after_max_age() -> None:
    clock = Clock()
    tokens = VerifiedTokens(max_age=60, clock=clock)
    tokens.keep("t", {"exp": clock.now + 3600}, CLINIC)
    clock.now += 60
    assert tokens.get("t") is None


def test_an_expired_token_is_not_kept_and_unknown_tokens_are_not_found() -> None:
    clock = Clock()
    tokens = VerifiedTokens(clock=clock)
    tokens.keep("old", {"exp": clock.now - 1}, CLINIC)
    assert tokens.get("old") is None
    assert tokens.get("never-verified") is None


def test_the_oldest_tokens_go_first_when_full() -> None:
    clock = Clock()
    tokens = VerifiedTokens(max_entries=3, clock=clock)
    for n in range(5):
        tokens.keep(f"t{n}", {"exp": clock.now + 100}, CLINIC)
    assert [tokens.get(f"t{n}") is not None for n in range(5)] == [False, False, True, True, True]
