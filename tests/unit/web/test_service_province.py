"""The case page's service form offers the provinces of the case's region (optional) and sends
the one chosen as `admin2`; left empty, nothing is sent (the event carries none)."""

from __future__ import annotations

from typing import Any

from tests.unit.web.signed_in import sign_in, web_app

CASE = "3f1c2a7e-2d4b-4c55-9a53-0b7a1d1e9f10"


class Cases:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def call(self, token: str, service: str, method: str, path: str, **sent: Any) -> Any:
        if method == "POST":
            self.sent.append(sent.get("json") or {})
            return {"case_id": CASE, "position": None}
        if path == f"/cases/{CASE}":
            return {
                "case_id": CASE, "region": "tumbes", "status": "open", "version": 1,
                "case_type": "gbv_protection", "participant_id": "p", "caseworker_id": "c",
                "opened_at": "2026-12-01T15:00:00Z",
            }  # fmt: skip
        return {"items": []} if path == "/cases" else []


def test_the_form_lists_the_region_s_provinces_and_sends_the_one_chosen() -> None:
    services = Cases()
    with web_app(services) as client:
        csrf = sign_in(client)
        page = client.get(f"/casos/{CASE}")
        form = {"csrf": csrf, "key": "k", "service_type": "dignity_kit"}
        named = client.post(f"/casos/{CASE}/servicios", data={**form, "admin2": "tumbes_zarumilla"},
                            follow_redirects=False)  # fmt: skip
        plain = client.post(f"/casos/{CASE}/servicios", data={**form, "admin2": ""},
                            follow_redirects=False)  # fmt: skip

    assert page.status_code == 200
    assert 'name="admin2"' in page.text and "Provincia (opcional)" in page.text
    assert '<option value="tumbes_zarumilla">Zarumilla</option>' in page.text
    assert "piura_paita" not in page.text  # another region's province is not offered
    assert named.status_code == plain.status_code == 303
    assert services.sent == [
        {"service_type": "dignity_kit", "admin2": "tumbes_zarumilla"},
        {"service_type": "dignity_kit"},
    ]
