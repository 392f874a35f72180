"""The vouchers service's own Prometheus metric, exposed at `/metrics` with the platform's."""

from __future__ import annotations

from prometheus_client import Counter

REDEEMED_PEN = Counter(
    "pana_voucher_redeemed_pen_total", "Soles (PEN) redeemed by partner providers", ["region"]
)
"""Money redeemed, counted once the redemption committed (never on an idempotent replay)."""
