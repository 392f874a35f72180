"""Envelope encryption and crypto-shredding with the in-memory key store."""

from __future__ import annotations

import base64
import os
from collections.abc import Awaitable, Callable

import pytest

from access.crypto import MasterKey, PersonalDataCipher, UnreadableCiphertext, decode_key
from access.participant_keys import InMemoryParticipantKeys, ParticipantKeyStore
from tests.contract.participant_keys import CONTRACT


@pytest.mark.parametrize("check", CONTRACT, ids=[c.__name__ for c in CONTRACT])
async def test_in_memory_store_keeps_the_contract(
    check: Callable[[ParticipantKeyStore], Awaitable[None]],
) -> None:
    await check(InMemoryParticipantKeys())


@pytest.fixture
def cipher() -> PersonalDataCipher:
    return PersonalDataCipher(MasterKey(os.urandom(32)), InMemoryParticipantKeys())


async def test_same_value_encrypts_differently_each_time(cipher: PersonalDataCipher) -> None:
    one = await cipher.encrypt("p-1", {"name": "Ana"})
    two = await cipher.encrypt("p-1", {"name": "Ana"})
    assert one["name"] != two["name"]
    assert one["name"].startswith("v1:")


async def test_a_ciphertext_moved_to_another_field_or_participant_does_not_open(
    cipher: PersonalDataCipher,
) -> None:
    sealed = await cipher.encrypt("p-1", {"name": "Ana", "phone": "51987654321"})
    await cipher.encrypt("p-2", {"name": "Luis"})
    with pytest.raises(UnreadableCiphertext):
        await cipher.decrypt("p-1", {"phone": sealed["name"]})
    with pytest.raises(UnreadableCiphertext):
        await cipher.decrypt("p-2", {"name": sealed["name"]})
    with pytest.raises(UnreadableCiphertext):
        await cipher.decrypt("p-1", {"name": "plain text"})


async def test_another_master_key_cannot_unwrap() -> None:
    store = InMemoryParticipantKeys()
    sealed = await PersonalDataCipher(MasterKey(os.urandom(32)), store).encrypt("p", {"n": "Ana"})
    stranger = PersonalDataCipher(MasterKey(os.urandom(32)), store)
    with pytest.raises(UnreadableCiphertext, match="master key"):
        await stranger.decrypt("p", sealed)


def test_the_master_key_never_shows_in_its_repr() -> None:
    secret = os.urandom(32)
    assert secret.hex() not in repr(MasterKey(secret))
    assert str(secret) not in repr(MasterKey(secret))


def test_keys_are_32_bytes_of_base64() -> None:
    assert decode_key(base64.b64encode(b"k" * 32).decode()) == b"k" * 32
    with pytest.raises(ValueError, match="32 bytes"):
        decode_key(base64.b64encode(b"short").decode())
