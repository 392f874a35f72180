"""A service's refusal of a row, told in Spanish and English with its rule."""

from __future__ import annotations

from deploy.imports.importing import idempotency_key
from deploy.imports.messages import from_service


def test_a_known_rule_is_translated_and_keeps_the_services_words() -> None:
    es, en = from_service(409, {"rule": "consent_missing", "message": "no consent for services"})
    assert es.startswith("la persona no dio el consentimiento necesario [consent_missing]")
    assert en == "refused [consent_missing]: no consent for services"


def test_an_unknown_rule_a_validation_list_and_plain_text_still_say_why() -> None:
    es, en = from_service(409, {"rule": "new_rule", "message": "something"})
    assert "el servicio lo rechazó [new_rule]" in es and "something" in en
    es, en = from_service(422, [{"type": "missing", "msg": "Field required", "loc": ["body"]}])
    assert es == "el servicio lo rechazó: falta el valor (Field required)"
    es, en = from_service(403, "region tumbes is outside the principal's regions")
    assert "HTTP 403" in es and "tumbes" in en


def test_a_rows_key_is_the_same_for_the_same_row_and_kind_only() -> None:
    key = idempotency_key("cases", "C-1", "open")
    assert key == idempotency_key("cases", "C-1", "open")
    assert key.startswith("pana-import:cases:") and key.endswith(":open")
    assert key != idempotency_key("referrals", "C-1", "open")
    assert 8 <= len(key) <= 200  # what the services take


def test_a_province_the_service_refuses_when_sent_is_told_in_both_languages() -> None:
    """A services row's province is checked against its case's region only by the cases
    service (the file has no region): its refusal reaches the row in Spanish too."""
    message = "admin2 territory 'piura_paita' is not inside region 'tumbes'"
    es, en = from_service(422, {"rule": "admin2_outside_region", "message": message})
    assert es.startswith("la provincia no está dentro de la región [admin2_outside_region]")
    assert en == f"refused [admin2_outside_region]: {message}"
