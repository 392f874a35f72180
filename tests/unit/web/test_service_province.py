"""The case page's service and voucher forms, the referral form and the person page's "open a
case" form offer the provinces of the case's region (optional) and send the one chosen as
`admin2`; left empty, nothing is sent (the event carries none)."""

from __future__ import annotations

from typing import Any

from tests.unit.web.signed_in import sign_in, web_app
from web.services import ServiceRefusal

CASE = "3f1c2a7e-2d4b-4c55-9a53-0b7a1d1e9f10"
UNIT = "6a0c9d1e-5b2f-4e8a-9c3d-7f1e2a4b5c6d"
PERSON = "0b6f3c2d-1e4a-4f5b-8c7d-9a0b1c2d3e4f"


class Cases:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def call(self, token: str, service: str, method: str, path: str, **sent: Any) -> Any:
        if method == "POST":
            self.sent.append(sent.get("json") or {})
            return {"case_id": CASE, "voucher_id": "v1", "position": None}
        if path == "/units":
            return [{"unit_id": UNIT, "destination": "CEM", "name": "CEM Tumbes", "active": True}]
        if path == f"/participants/{PERSON}":
            return {"participant_id": PERSON, "sex": "woman", "region": "lima_callao",
                    "registered_at": "2026-12-01T15:00:00Z", "version": 1,
                    "personal": {"given_names": "Ana", "birth_date": "1990-01-01"}}  # fmt: skip
        if path == f"/participants/{PERSON}/consents":
            return {"consents": []}
        if path == "/participants/p":
            return {"participant_id": "p", "sex": "woman", "birth_date": "1990-01-01"}
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


def test_a_voucher_and_a_referral_send_the_province_chosen() -> None:
    services = Cases()
    with web_app(services) as client:
        csrf = sign_in(client)
        case_page = client.get(f"/casos/{CASE}")
        refer_page = client.get(f"/casos/{CASE}/derivar", params={"unit_id": UNIT})
        voucher = {"csrf": csrf, "key": "k1", "participant_id": "p", "region": "tumbes",
                   "provider_id": "c1", "amount": "150,00", "services": ["consultation"],
                   "valid_until": "31/12/2026", "admin2": "tumbes_zarumilla"}  # fmt: skip
        issued = client.post(f"/casos/{CASE}/vales", data=voucher, follow_redirects=False)
        referral = {"csrf": csrf, "key": "k2", "unit_id": UNIT, "participant_id": "p",
                    "region": "tumbes", "reason": "gbv_support", "assistance_type": "legal",
                    "admin2": "tumbes_tumbes"}  # fmt: skip
        referred = client.post(f"/casos/{CASE}/derivar", data=referral, follow_redirects=False)

    assert 'id="voucher-admin2" name="admin2"' in case_page.text
    assert refer_page.status_code == 200
    assert 'id="admin2" name="admin2"' in refer_page.text
    assert '<option value="tumbes_zarumilla">Zarumilla</option>' in refer_page.text
    assert "piura_paita" not in case_page.text + refer_page.text
    assert issued.status_code == referred.status_code == 303
    assert [s.get("admin2") for s in services.sent] == ["tumbes_zarumilla", "tumbes_tumbes"]


def test_a_case_opened_from_the_person_page_sends_the_province_of_its_region() -> None:
    """No principal's regions in this session: the case opens in the program's first region,
    Lima y Callao, whose provinces the form offers, grouped under the region's name."""
    services = Cases()
    with web_app(services) as client:
        csrf = sign_in(client)
        page = client.get(f"/personas/{PERSON}")
        form = {"csrf": csrf, "key": "k", "case_type": "gbv_protection",
                "intake_channel": "admission_form"}  # fmt: skip
        named = client.post(f"/personas/{PERSON}/casos", data={**form, "admin2": "lima_huaral"},
                            follow_redirects=False)  # fmt: skip
        plain = client.post(f"/personas/{PERSON}/casos", data={**form, "admin2": ""},
                            follow_redirects=False)  # fmt: skip

    assert page.status_code == 200
    assert '<label for="case-admin2">Provincia (opcional)</label>' in page.text
    none = '<select id="case-admin2" name="admin2"><option value="">No indicada</option>'
    assert none in page.text
    assert '<optgroup label="Lima y Callao"><option value="lima_lima">Lima</option>' in page.text
    assert "tumbes_zarumilla" not in page.text  # another region's province is not offered
    assert named.status_code == plain.status_code == 303
    assert named.headers["location"] == f"/casos/{CASE}"
    assert [s.get("admin2") for s in services.sent] == ["lima_huaral", None]
    assert services.sent[0] == {"participant_id": PERSON, "case_type": "gbv_protection",
                                "intake_channel": "admission_form", "region": "lima_callao",
                                "admin2": "lima_huaral"}  # fmt: skip


def test_a_province_outside_the_case_s_region_is_said_on_the_page_and_nothing_is_sent() -> None:
    services = Cases()
    with web_app(services) as client:
        csrf = sign_in(client)
        form = {"csrf": csrf, "key": "k", "case_type": "gbv_protection",
                "intake_channel": "admission_form"}  # fmt: skip
        elsewhere = client.post(f"/personas/{PERSON}/casos",
                                data={**form, "admin2": "tumbes_zarumilla"})  # fmt: skip
        unknown = client.post(f"/personas/{PERSON}/casos", data={**form, "admin2": "atlantis"})
        client.get("/idioma/en", params={"next": "/"})
        english = client.post(f"/personas/{PERSON}/casos",
                              data={**form, "admin2": "tumbes_zarumilla"})  # fmt: skip

    assert elsewhere.status_code == unknown.status_code == english.status_code == 422
    for refused in (elsewhere, unknown):
        assert "La provincia elegida no está en la región del caso" in refused.text
        assert f'href="/personas/{PERSON}"' in refused.text  # back to the form
    assert "The province chosen is not in the case&#39;s region" in english.text
    assert services.sent == []


class Refusing(Cases):
    """The services refuse the province, as `eventkit/admin2.py` does (a form drawn before the
    case moved to another region)."""

    async def call(self, token: str, service: str, method: str, path: str, **sent: Any) -> Any:
        if method == "POST":
            message = "admin2 territory 'tumbes_zarumilla' is not inside region 'piura'"
            raise ServiceRefusal(422, "admin2_outside_region", message)
        return await super().call(token, service, method, path, **sent)


def test_the_services_refusal_of_a_province_is_said_in_the_page_s_language() -> None:
    with web_app(Refusing()) as client:
        csrf = sign_in(client)
        form = {"csrf": csrf, "key": "k", "service_type": "dignity_kit",
                "admin2": "tumbes_zarumilla"}  # fmt: skip
        refused = client.post(f"/casos/{CASE}/servicios", data=form)

    assert refused.status_code == 422
    assert "La provincia elegida no está en la región del caso" in refused.text
