"""Why a row is refused, in Spanish and English: the import's own checks and the services'.

The services answer in English (a rule code and a message); staff read Spanish first, so each
reason carries both. A service's reason without a translation here keeps its English text
after a Spanish lead-in rather than being dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    es: str
    en: str

    def line(self) -> str:
        where = f"fila {self.row}" + (f", columna {self.column}" if self.column else "")
        return f"{where}: {self.es} / {self.en}"


def required() -> tuple[str, str]:
    return "falta el valor (columna obligatoria)", "missing value (required column)"


def not_a_code(value: str, codes: str, allowed: list[str]) -> tuple[str, str]:
    shown = ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
    return (
        f"'{value}' no es un código de la lista {codes} ({shown})",
        f"'{value}' is not a code of the list {codes} ({shown})",
    )


def not_a(value: str, es: str, en: str) -> tuple[str, str]:
    return f"'{value}' no es {es}", f"'{value}' is not {en}"


def in_the_future(value: str) -> tuple[str, str]:
    return f"'{value}' está en el futuro", f"'{value}' is in the future"


def repeated(row: int) -> tuple[str, str]:
    return (
        f"la misma fila que la fila {row} (clave repetida)",
        f"the same row as row {row} (key repeated)",
    )


def unknown_ref(column: str, value: str, kind: str) -> tuple[str, str]:
    return (
        f"{column} '{value}' no existe: importe primero el archivo de {kind}",
        f"{column} '{value}' is unknown: import the {kind} file first",
    )


def admin2_outside(admin2: str, region: str) -> tuple[str, str]:
    return (
        f"la provincia '{admin2}' no está dentro de la región {region}",
        f"province '{admin2}' is not inside region {region}",
    )


def unknown_column(name: str) -> tuple[str, str]:
    return f"columna desconocida '{name}'", f"unknown column '{name}'"


def missing_column(name: str) -> tuple[str, str]:
    return f"falta la columna obligatoria '{name}'", f"required column '{name}' is missing"


_PYDANTIC_ES = {
    "missing": "falta el valor",
    "enum": "no es un código válido",
    "string_pattern_mismatch": "no tiene el formato esperado",
    "string_too_short": "es demasiado corto",
    "string_too_long": "es demasiado largo",
    "too_short": "faltan elementos",
    "too_long": "tiene demasiados elementos",
    "greater_than": "debe ser mayor",
    "greater_than_equal": "es demasiado pequeño",
    "less_than_equal": "es demasiado grande",
    "value_error": "no es válido",
    "decimal_max_places": "tiene demasiados decimales",
    "extra_forbidden": "no se acepta este campo",
}


def from_validation(error: dict[str, Any]) -> tuple[str, str]:
    """A request model's error (pydantic) in both languages."""
    en = str(error.get("msg", "invalid"))
    es = _PYDANTIC_ES.get(str(error.get("type")), "no es válido")
    return f"{es} ({en})", en


_REFUSAL_ES = {
    "consent_missing": "la persona no dio el consentimiento necesario",
    "case_unknown": "el caso no existe (o aún no llegó al servicio)",
    "participant_unknown": "la persona no existe (o aún no llegó al servicio)",
    "case_not_found": "el caso no existe",
    "participant_not_found": "la persona no existe",
    "budget_exceeded": "supera el presupuesto de la región",
    "answered_before_request": "la respuesta es anterior a la derivación",
    "unit_answers_itself": "la unidad responde por su propia cuenta en el sistema",
    "receipt_already_used": "el comprobante ya fue usado",
    "fully_redeemed": "el vale ya fue canjeado por completo",
    "admin2_outside_region": "la provincia no está dentro de la región",
    "admin2_unknown": "la provincia no figura en el programa",
}


def from_service(status: int, detail: Any) -> tuple[str, str]:
    """A service's refusal (HTTP status and `detail`) in both languages."""
    if isinstance(detail, dict):
        rule, message = str(detail.get("rule", "")), str(detail.get("message", detail))
        es = _REFUSAL_ES.get(rule, "el servicio lo rechazó")
        return f"{es} [{rule}] ({message})", f"refused [{rule}]: {message}"
    if isinstance(detail, list):  # a 422 from the service's own request validation
        first = detail[0] if detail else {}
        es, en = from_validation(first if isinstance(first, dict) else {})
        return f"el servicio lo rechazó: {es}", f"refused: {en}"
    text = str(detail)[:300]
    return f"el servicio lo rechazó (HTTP {status}): {text}", f"refused (HTTP {status}): {text}"
