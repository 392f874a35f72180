"""The contract every participant-key store keeps, run against memory and PostgreSQL alike."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from access.crypto import MasterKey, PersonalDataCipher
from access.participant_keys import Erased, NoDataKey, ParticipantKeyStore

ERASED_AT = datetime(2023, 3, 1, 9, tzinfo=UTC)


async def check_a_key_is_created_once(store: ParticipantKeyStore) -> None:
    first = await store.create("p-1", b"wrapped-1")
    second = await store.create("p-1", b"wrapped-2")
    assert first == second == b"wrapped-1"
    assert await store.wrapped_key("p-1") == b"wrapped-1"


async def check_an_unknown_participant_has_no_key(store: ParticipantKeyStore) -> None:
    with pytest.raises(NoDataKey):
        await store.wrapped_key("p-unknown")


async def check_a_destroyed_key_never_comes_back(store: ParticipantKeyStore) -> None:
    await store.create("p-2", b"wrapped")
    await store.destroy("p-2", ERASED_AT)
    await store.destroy("p-2", datetime(2024, 1, 1, tzinfo=UTC))  # idempotent: first date kept
    with pytest.raises(Erased) as erased:
        await store.wrapped_key("p-2")
    assert erased.value.destroyed_at == ERASED_AT
    with pytest.raises(Erased):
        await store.create("p-2", b"new")


async def check_erasing_before_any_data_blocks_new_data(store: ParticipantKeyStore) -> None:
    await store.destroy("p-3", ERASED_AT)
    with pytest.raises(Erased):
        await store.create("p-3", b"wrapped")


async def check_crypto_shredding(store: ParticipantKeyStore) -> None:
    """Erasing one participant makes their fields unreadable and leaves others readable."""
    cipher = PersonalDataCipher(MasterKey(os.urandom(32)), store)
    ana = {"name": "Ana Pérez", "document": "V12345678", "phone": "51987654321"}
    luis = {"name": "Luis Gómez", "document": "001234567"}
    ana_sealed = await cipher.encrypt("p-ana", ana)
    luis_sealed = await cipher.encrypt("p-luis", luis)
    assert "Ana" not in str(ana_sealed)
    assert await cipher.decrypt("p-ana", ana_sealed) == ana

    await cipher.erase("p-ana", datetime.now(UTC))

    with pytest.raises(Erased, match="personal data of participant p-ana was erased"):
        await cipher.decrypt("p-ana", ana_sealed)
    assert await cipher.decrypt("p-luis", luis_sealed) == luis


CONTRACT = [
    check_a_key_is_created_once,
    check_an_unknown_participant_has_no_key,
    check_a_destroyed_key_never_comes_back,
    check_erasing_before_any_data_blocks_new_data,
    check_crypto_shredding,
]
