"""Signed checkpoints of the audit chain's head, held outside what a service can rewrite.

The chain's hash is public: whoever can write `audit_log` (a database superuser) can rewrite a
record and recompute every hash after it, and the chain alone still verifies. A checkpoint is
the head (service, sequence, hash) at a moment, signed with the auditor's Ed25519 key, which no
service holds, and kept by the auditor (a JSON Lines file per service). `verify` checks the chain
against every checkpoint: a record at a checkpointed sequence must have the signed hash, and the
chain must reach the last checkpoint. A rewritten or shortened history is then detected; what is
appended after the last checkpoint is protected from the next one on (run it periodically).

    python -m deploy.ops audit-keygen --out /secure/auditor          # once; keep the key offline
    python -m deploy.ops audit-checkpoint --auditor-key /secure/auditor/auditor-key.pem \\
        --checkpoints /secure/checkpoints                            # e.g. hourly, from cron
    python -m deploy.ops verify-audit --checkpoints /secure/checkpoints \\
        --auditor-public-key /secure/auditor/auditor-key.pub.pem
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PRIVATE_NAME, PUBLIC_NAME = "auditor-key.pem", "auditor-key.pub.pem"


@dataclass(frozen=True)
class Checkpoint:
    """A signed head of one service's chain."""

    service: str
    sequence: int
    head_hash: str
    signed_at: str
    signature: str

    def message(self) -> bytes:
        """The bytes signed: a fixed text, so nothing about JSON formatting matters."""
        return _message(self.service, self.sequence, self.head_hash, self.signed_at)


def _message(service: str, sequence: int, head_hash: str, signed_at: str) -> bytes:
    return f"pana-audit-checkpoint/v1\n{service}\n{sequence}\n{head_hash}\n{signed_at}".encode()


def keygen(folder: Path) -> tuple[Path, Path]:
    """A new auditor key pair in `folder`: the private key (0600) and the public key."""
    folder.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    private, public = folder / PRIVATE_NAME, folder / PUBLIC_NAME
    if private.exists():
        raise FileExistsError(f"{private} exists: an auditor key is never overwritten")
    private.touch(mode=0o600)
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def load_private(path: Path) -> Ed25519PrivateKey:
    """The auditor's signing key."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """The auditor's public key, which verifies checkpoints."""
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


def sign(
    key: Ed25519PrivateKey, service: str, sequence: int, head_hash: str, at: datetime
) -> Checkpoint:
    """A checkpoint of `service`'s head at `at`."""
    signed_at = at.isoformat()
    signature = key.sign(_message(service, sequence, head_hash, signed_at))
    return Checkpoint(service, sequence, head_hash, signed_at, base64.b64encode(signature).decode())


def store(path: Path, checkpoint: Checkpoint) -> None:
    """Append `checkpoint` to the JSON Lines file `path` (the auditor's, not the service's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        out.write(json.dumps(asdict(checkpoint), sort_keys=True) + "\n")


def load(path: Path) -> list[Checkpoint]:
    """The checkpoints stored in `path`, oldest first; none when it does not exist."""
    if not path.exists():
        return []
    return [Checkpoint(**json.loads(line)) for line in path.read_text().splitlines() if line]


def anchors(
    checkpoints: Iterable[Checkpoint], public_key: Ed25519PublicKey, service: str
) -> dict[int, str]:
    """The signed (sequence -> hash) of `service`; raise `ValueError` on a bad checkpoint."""
    found: dict[int, str] = {}
    for checkpoint in checkpoints:
        if checkpoint.service != service:
            raise ValueError(f"a checkpoint of {checkpoint.service} among {service}'s")
        try:
            public_key.verify(base64.b64decode(checkpoint.signature), checkpoint.message())
        except (InvalidSignature, ValueError):
            raise ValueError(
                f"the checkpoint of record {checkpoint.sequence} signed at "
                f"{checkpoint.signed_at} does not carry the auditor's signature"
            ) from None
        if found.get(checkpoint.sequence, checkpoint.head_hash) != checkpoint.head_hash:
            raise ValueError(f"two signed checkpoints disagree on record {checkpoint.sequence}")
        found[checkpoint.sequence] = checkpoint.head_hash
    return found
