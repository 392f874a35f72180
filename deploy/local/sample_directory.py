"""A small, clearly fictional directory of clinics and receiving units for a new local stack.

After `make up` on empty databases nobody could make a referral or a voucher (no unit, no
provider), and the examples in `docs/operations.md` answered `[]`. So when the vouchers service
has no provider and the referrals service no unit, the stack loads `sample/providers.csv` and
`sample/units.csv` through the public APIs, as an administrator of the local issuer would with
`pana-ops load-providers` / `load-units`. Every name says "Ficticio ... (muestra)"; phones and
e-mails are placeholders (example.org). Never in production: `PANA_SAMPLE_DIRECTORY=0` or
`PANA_ENVIRONMENT=production` turns it off, and a directory that has any entry is left alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from access.signing import issue_token, load_key
from deploy.ops.directory import PROVIDER_COLUMNS, post_all, read_rows, unit_rows

SAMPLE = Path(__file__).resolve().parent / "sample"


def wanted(environment: str) -> bool:
    """Whether this stack loads the sample (never in production, and not when turned off)."""
    switched_off = os.environ.get("PANA_SAMPLE_DIRECTORY", "1").lower() in ("0", "false", "no")
    return environment != "production" and not switched_off


def load_if_empty(signing_key: Path, vouchers_url: str, referrals_url: str) -> list[str]:
    """Load the sample into each empty directory; return what was done, a line per entry."""
    token = issue_token(
        load_key(signing_key), {"sub": "local-stack", "org": "local", "role": "administrator"}
    )
    done: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(headers=headers, timeout=10) as client:
        if not _listed(client, f"{vouchers_url}/providers"):
            rows = read_rows(SAMPLE / "providers.csv", PROVIDER_COLUMNS)
            done += post_all(vouchers_url, "/providers", token, rows)
        if not _listed(client, f"{referrals_url}/units"):
            done += post_all(referrals_url, "/units", token, unit_rows(SAMPLE / "units.csv"))
    return done


def _listed(client: httpx.Client, url: str) -> bool:
    answer = client.get(url)
    answer.raise_for_status()
    return bool(answer.json())
