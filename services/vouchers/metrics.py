"""The vouchers service's own Prometheus metric, exposed at `/metrics` with the platform's."""

from __future__ import annotations

from prometheus_client import Counter

from program.load import current_program

_CURRENCY = current_program().currency

REDEEMED = Counter(
    f"pana_voucher_redeemed_{_CURRENCY.lower()}_total",
    f"Amount redeemed by partner providers, in the program's currency ({_CURRENCY})",
    ["region"],
)
"""Money redeemed, counted once the redemption committed (never on an idempotent replay).

The unit is in the name, as Prometheus names say units: the program's currency, so Peru's is
`pana_voucher_redeemed_pen_total` as it always was (its dashboards and alerts keep working) and
a program in euros counts `pana_voucher_redeemed_eur_total`, never a sum of two currencies under
one name. A `currency` label would have renamed every existing series for no gain: a deployment
has one currency."""
