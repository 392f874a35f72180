"""The voucher form's numbers: amounts typed as the pages show them, in either language, reach the
services as `1234.50` (what is not an amount is said on the page and nothing is sent: it was a
server error), and the last day ends in the program's time zone."""

from __future__ import annotations

from typing import Any

import pytest

from program.load import PROGRAMS_DIR, current_program
from tests.unit.web.signed_in import sign_in, web_app
from web import i18n
from web.amounts import amount
from web.pages.caseworker import end_of_day


@pytest.mark.parametrize(
    ("typed", "read"),
    [("1.234,50", "1234.50"), ("1,234.50", "1234.50"), ("S/ 90,00", "90.00"), ("150", "150.00"),
     ("1234,5", "1234.50"), ("1 234,50", "1234.50"), ("0,5", "0.50"), ("12.345.678", "12345678.00"),
     ("mucho", None), ("1,2,3", None), ("-3", None), ("", None), ("1.5.0", None)],
)  # fmt: skip
def test_an_amount_as_typed(typed: str, read: str | None) -> None:
    assert amount(typed) == read


class Vouchers:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def call(self, token: str, service: str, method: str, path: str, **sent: Any) -> Any:
        self.sent.append(sent.get("json") or {})
        return {"voucher_id": "5d1f7c0a-9b8e-4f3a-8c2d-1e0f9a8b7c6d", "position": None}


def test_a_voucher_s_amount_in_spanish_and_one_that_is_not_an_amount() -> None:
    services = Vouchers()
    with web_app(services) as client:
        csrf = sign_in(client)
        form = {"csrf": csrf, "key": "k", "participant_id": "p", "region": "lima_callao",
                "provider_id": "q", "services": ["exams"], "valid_until": "2027-01-31"}  # fmt: skip
        case = "/casos/3f1c2a7e-2d4b-4c55-9a53-0b7a1d1e9f10/vales"
        issued = client.post(case, data={**form, "amount": "1.234,50"}, follow_redirects=False)
        refused = client.post(case, data={**form, "amount": "mil"})

    assert issued.status_code == 303 and services.sent[0]["amount"] == "1234.50"
    assert services.sent[0]["valid_until"] == "2027-01-31T23:59:59-05:00"  # Lima's last second
    assert refused.status_code == 422 and i18n.translate("es", "amount.bad") in refused.text
    assert len(services.sent) == 1


def test_a_voucher_s_last_day_ends_in_the_program_s_time_zone() -> None:
    assert end_of_day("2027-01-31") == "2027-01-31T23:59:59-05:00"  # Peru: America/Lima
    assert end_of_day("2027-07-31") == "2027-07-31T23:59:59-05:00"  # no summer time there
    assert end_of_day("31/01/2027") == "31/01/2027"  # not a date: the service names it


def test_another_program_s_vouchers_end_in_its_own_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANA_PROGRAM_FILE", str(PROGRAMS_DIR / "western_balkans.yaml"))
    current_program.cache_clear()
    try:
        assert end_of_day("2027-07-31").endswith("T23:59:59+02:00")  # Central Europe, summer
    finally:
        current_program.cache_clear()
