"""The event both sides of the append benchmark write: a realistic voucher redemption."""

from __future__ import annotations

import orjson

STREAMS_PER_CLIENT = 8
"""Each client rotates over its own streams, so no command loses a race."""

PAYLOAD = {
    "voucher_id": "0b7a1d1e-9f10-4c55-9a53-3f1c2a7e2d4b",
    "redemption_id": "5a6d4e3f-2a1b-4f3e-b7c2-9b2e6f0c8d1a",
    "participant_id": "9b2e6f0c-8d1a-4f3e-b7c2-5a6d4e3f2a1b",
    "provider_id": "c0a80101-0000-4000-8000-000000000001",
    "amount": "15.00",
    "services": ["consultation"],
    "receipt_number": "B001-000123",
    "region": "lima_callao",
    "redeemed_at": "2026-11-22T08:00:00Z",
}
PAYLOAD_BYTES = orjson.dumps(PAYLOAD)
