"""Field-level encryption of personal data with one data key per participant (envelope).

Each participant's fields are encrypted (AES-256-GCM) with that participant's data key; the data
key is stored only wrapped (AES-256-GCM) by the master key from configuration. Erasure destroys
the wrapped data key (crypto-shredding): the participant's ciphertexts, wherever they were
copied, become unreadable, and everything else (events, audit, indicators) stays valid.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from access.participant_keys import Erased, ParticipantKeyStore

_WRAP_VERSION = b"\x01"
_FIELD_PREFIX = "v1:"
_NONCE = 12


class UnreadableCiphertext(ValueError):
    """A ciphertext does not decrypt: corrupt, or made for another participant or field."""


def decode_key(text: str) -> bytes:
    """A 256-bit key from its base64 text (generate one: `openssl rand -base64 32`)."""
    key = base64.b64decode(text, validate=True)
    if len(key) != 32:
        raise ValueError("a key must be 32 bytes (base64 of 32 random bytes)")
    return key


@dataclass(frozen=True)
class MasterKey:
    """Wraps and unwraps data keys; its bytes never appear in a repr."""

    secret: bytes = field(repr=False)

    def wrap(self, participant_id: str, data_key: bytes) -> bytes:
        """`data_key` encrypted for storage, bound to `participant_id`."""
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(self.secret).encrypt(nonce, data_key, _key_context(participant_id))
        return _WRAP_VERSION + nonce + sealed

    def unwrap(self, participant_id: str, wrapped: bytes) -> bytes:
        """The data key of `participant_id`; `UnreadableCiphertext` if it is not theirs."""
        nonce, sealed = wrapped[1 : 1 + _NONCE], wrapped[1 + _NONCE :]
        if wrapped[:1] != _WRAP_VERSION:
            raise UnreadableCiphertext("unknown wrapped-key version")
        try:
            return AESGCM(self.secret).decrypt(nonce, sealed, _key_context(participant_id))
        except InvalidTag:
            raise UnreadableCiphertext(
                "the data key does not unwrap with this master key"
            ) from None


class PersonalDataCipher:
    """Encrypts and decrypts a participant's personal fields; erases them all at once."""

    def __init__(self, master_key: MasterKey, store: ParticipantKeyStore) -> None:
        self._master = master_key
        self._store = store

    async def encrypt(self, participant_id: str, fields: Mapping[str, str]) -> dict[str, str]:
        """Each field's value encrypted (`v1:` + base64); creates the data key the first time."""
        candidate = self._master.wrap(participant_id, AESGCM.generate_key(bit_length=256))
        # An existing key wins over our candidate: racing first writes end up sharing one key.
        wrapped = await self._store.create(participant_id, candidate)
        aead = AESGCM(self._master.unwrap(participant_id, wrapped))
        return {
            name: _seal(aead, _field_context(participant_id, name), value)
            for name, value in fields.items()
        }

    async def decrypt(self, participant_id: str, fields: Mapping[str, str]) -> dict[str, str]:
        """Each field's plaintext; raise `Erased` once the participant's data key is destroyed."""
        wrapped = await self._store.wrapped_key(participant_id)
        aead = AESGCM(self._master.unwrap(participant_id, wrapped))
        return {
            name: _open(aead, _field_context(participant_id, name), token)
            for name, token in fields.items()
        }

    async def erase(self, participant_id: str, at: datetime) -> None:
        """Destroy the participant's data key: their personal fields can never be read again.
        `at`, when: the erasing command's time (the service's clock)."""
        await self._store.destroy(participant_id, at)


def _key_context(participant_id: str) -> bytes:
    return json.dumps(["pana/participant-key", participant_id]).encode()


def _field_context(participant_id: str, name: str) -> bytes:
    # Bound to participant and field: a ciphertext copied to another row or column won't open.
    # JSON keeps ids unambiguous whatever characters they contain.
    return json.dumps(["pana/field", participant_id, name]).encode()


def _seal(aead: AESGCM, context: bytes, value: str) -> str:
    nonce = os.urandom(_NONCE)
    sealed = aead.encrypt(nonce, value.encode(), context)
    return _FIELD_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def _open(aead: AESGCM, context: bytes, token: str) -> str:
    if not token.startswith(_FIELD_PREFIX):
        raise UnreadableCiphertext("not a v1 field ciphertext")
    try:
        raw = base64.urlsafe_b64decode(token.removeprefix(_FIELD_PREFIX))
        return aead.decrypt(raw[:_NONCE], raw[_NONCE:], context).decode()
    except (ValueError, InvalidTag):
        raise UnreadableCiphertext("the field does not decrypt for this participant") from None


__all__ = [
    "Erased",
    "MasterKey",
    "PersonalDataCipher",
    "UnreadableCiphertext",
    "decode_key",
]
