"""Load directories (partner providers, receiving units) from a CSV through the public API."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import httpx

PROVIDER_COLUMNS = ("name", "region", "kind", "services")
UNIT_COLUMNS = ("name", "destination", "region", "office")


def read_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of the CSV; `services` (and other list columns) are `;`-separated."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path} lacks the column(s): {', '.join(sorted(missing))}")
        rows = []
        for row in reader:
            item: dict[str, Any] = {k: (v or "").strip() for k, v in row.items() if k}
            if "services" in item:
                item["services"] = [s.strip() for s in item["services"].split(";") if s.strip()]
            rows.append(item)
        return rows


def unit_rows(path: Path) -> list[dict[str, Any]]:
    """Receiving units from a CSV, shaped as `POST /units` takes them."""
    rows = read_rows(path, UNIT_COLUMNS)
    for row in rows:
        row["handover_contact"] = {
            k: row.pop(k) for k in ("office", "phone", "email") if row.get(k)
        }
        row["has_system_account"] = row.get("has_system_account", "").lower() in ("yes", "true")
    return rows


def post_all(base_url: str, path: str, token: str, rows: list[dict[str, Any]]) -> list[str]:
    """POST each row; return one line per row saying what happened (4xx reasons included)."""
    report = []
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        for number, row in enumerate(rows, start=2):  # line 1 is the header
            answer = client.post(path, json=row)
            if answer.status_code < 300:
                report.append(f"line {number}: added {row.get('name', '')}")
            else:
                report.append(f"line {number}: refused ({answer.status_code}) {answer.text[:300]}")
    return report
