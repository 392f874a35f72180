"""What the test issuer of `conftest.py` signs with: issuer, audience, and the signing helper."""

from __future__ import annotations

from collections.abc import Callable

ISSUER = "https://idp.example/pana"
AUDIENCE = "pana-services"

Issue = Callable[..., str]
"""`issue(key=None, **claims) -> token`: a caseworker in lima_callao unless claims say else."""
