"""The kinds of file an import takes: their columns, the row key, the date of the act.

A column's value type says how its text is read (`checking.py`); `codes` names the code list it
must come from (`codes.py`). `key` is the columns that identify a row in the program's own
records: with the kind, they make the row's idempotency key, so importing a file twice (or a
file with the rows reordered) sends nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from program.load import current_program

_CURRENCY = current_program().currency
"""Amounts are in the program's currency (the columns' labels say which)."""

Value = Literal["text", "int", "money", "date", "list", "bool", "ref"]


@dataclass(frozen=True)
class Column:
    name: str
    value: Value = "text"
    required: bool = False
    codes: str | None = None
    es: str = ""
    en: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    es: str
    en: str

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(
    name: str,
    value: Value = "text",
    *,
    req: bool = False,
    codes: str | None = None,
    es: str = "",
    en: str = "",
) -> Column:
    return Column(name, value, req, codes, es, en)


_PARTICIPANT = _c(
    "participant_ref",
    "ref",
    req=True,
    es="Código de la persona en el registro del programa",
    en="The person's reference in the program's register",
)
_CASE = _c("case_ref", "ref", req=True, es="Código del caso", en="The case's reference")
_REGION = _c("region", req=True, codes="region", es="Región", en="Region")
_ADMIN2 = _c(
    "admin2",
    codes="admin2",
    es="Provincia dentro de la región (opcional)",
    en="Province within the region (optional)",
)


def _on(name: str, what_es: str, what_en: str, *, req: bool = False) -> Column:
    return _c(
        name,
        "date",
        req=req,
        es=f"Fecha en que {what_es} (AAAA-MM-DD o DD/MM/AAAA)",
        en=f"Date {what_en} (YYYY-MM-DD or DD/MM/YYYY)",
    )


def attribute_column(code: str) -> str:
    """The column (and code list) of one of the program's coarse attributes."""
    return f"attribute_{code}"


def _coarse_attributes() -> tuple[Column, ...]:
    """The population type, then a column per coarse attribute of the program (blank: not
    recorded); a sensitive attribute's description says answering was voluntary."""
    columns = [_c("population_type", codes="population_type", es="Tipo de población",
                  en="Population type")]  # fmt: skip
    for attribute in current_program().attributes:
        name = attribute_column(attribute.code)
        es, en = attribute.labels.es, attribute.labels.en
        if attribute.sensitive:
            es, en = f"{es} (respuesta voluntaria)", f"{en} (a voluntary answer)"
        columns.append(_c(name, codes=name, es=es, en=en))
    return tuple(columns)


def count_column(sex: str, age_group: str) -> str:
    """The column of a group activity's headcount of one sex and age group."""
    return f"count_{sex}_{age_group}"


def _headcounts() -> tuple[Column, ...]:
    """A whole-number column per sex and age group of the program (blank: nobody)."""
    program = current_program()
    return tuple(
        _c(
            count_column(sex.code, age.code),
            "int",
            es=f"Cuántas personas: {sex.labels.es}, {age.labels.es}",
            en=f"How many people: {sex.labels.en}, {age.labels.en}",
        )
        for sex in program.terms("sex")
        for age in program.terms("age_group")
    )


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "participants",
            (
                _PARTICIPANT,
                _on("registered_on", "se registró", "registered"),
                _c("given_names", req=True, es="Nombres", en="Given names"),
                _c("family_names", req=True, es="Apellidos", en="Family names"),
                _c(
                    "document_type",
                    codes="document_type",
                    es="Tipo de documento",
                    en="Document type",
                ),
                _c("document_number", es="Número de documento", en="Document number"),
                _c("phone", es="Teléfono", en="Phone"),
                _c("sex", req=True, codes="sex", es="Sexo", en="Sex"),
                _c("birth_date", "date", es="Fecha de nacimiento", en="Birth date"),
                _c(
                    "estimated_age_years",
                    "int",
                    es="Edad estimada (si no hay fecha de nacimiento)",
                    en="Estimated age (when no birth date)",
                ),
                _c(
                    "nationality",
                    req=True,
                    es="Nacionalidad (ISO 3166, p. ej. VEN)",
                    en="Nationality (ISO 3166, e.g. VEN)",
                ),
                _REGION,
                *_coarse_attributes(),
                _c(
                    "vulnerabilities",
                    "list",
                    codes="vulnerability",
                    es="Perfiles de vulnerabilidad, separados por ;",
                    en="Vulnerability profiles, ';'-separated",
                ),
            ),
            ("participant_ref",),
            "Participantes (registro)",
            "Participants (registration)",
        ),
        Kind(
            "consents",
            (
                _PARTICIPANT,
                _on("consented_on", "dio su consentimiento", "consent was given"),
                _c(
                    "purposes",
                    "list",
                    req=True,
                    codes="consent_purpose",
                    es="Finalidades, separadas por ;",
                    en="Purposes, ';'-separated",
                ),
                _c(
                    "destinations",
                    "list",
                    codes="destination",
                    es="Destinos de derivación, separados por ;",
                    en="Referral destinations, ';'-separated",
                ),
                _c("given_by", codes="consent_giver", es="Quién consiente", en="Given by"),
            ),
            ("participant_ref", "consented_on", "purposes"),
            "Consentimientos",
            "Consents",
        ),
        Kind(
            "cases",
            (
                _CASE,
                _PARTICIPANT,
                _on("opened_on", "se abrió el caso", "the case was opened"),
                _c("case_type", req=True, codes="case_type", es="Tipo de caso", en="Case type"),
                _c(
                    "intake_channel",
                    req=True,
                    codes="intake_channel",
                    es="Vía de ingreso",
                    en="Intake channel",
                ),
                _c(
                    "regularization_profile",
                    codes="regularization_profile",
                    es="Perfil (solo regularización migratoria)",
                    en="Profile (migratory regularization only)",
                ),
                _c("urgency", codes="urgency", es="Urgencia", en="Urgency"),
                _REGION,
                _ADMIN2,
            ),
            ("case_ref",),
            "Casos",
            "Cases",
        ),
        Kind(
            "services",
            (
                _CASE,
                _c("service_type", req=True, codes="service_type", es="Servicio", en="Service"),
                _on("delivered_on", "se entregó", "delivered", req=True),
                _c(
                    "quantity",
                    "int",
                    es="Cantidad (noches de alojamiento)",
                    en="Quantity (nights of lodging)",
                ),
                _c("cost", "money", es=f"Costo ({_CURRENCY})", en=f"Cost ({_CURRENCY})"),
                _ADMIN2,
            ),
            ("case_ref", "service_type", "delivered_on"),
            "Servicios entregados",
            "Services delivered",
        ),
        Kind(
            "outreach",
            (
                _PARTICIPANT,
                _c(
                    "topic",
                    req=True,
                    codes="message_topic",
                    es="Tema del mensaje",
                    en="Message topic",
                ),
                _c("channel", req=True, codes="message_channel", es="Canal", en="Channel"),
                _c(
                    "delivery_mode",
                    req=True,
                    codes="delivery_mode",
                    es="Modalidad",
                    en="Delivery mode",
                ),
                _REGION,
                _on("reached_on", "recibió el mensaje", "the message reached the person", req=True),
                _ADMIN2,
            ),
            ("participant_ref", "topic", "reached_on"),
            "Listas de alcance",
            "Outreach lists",
        ),
        Kind(
            "livelihoods",
            (
                _PARTICIPANT,
                _c(
                    "record",
                    req=True,
                    codes="livelihood_record",
                    es="Registro: enrolment, stage, training u outcome",
                    en="Record: enrolment, stage, training or outcome",
                ),
                _c("program", req=True, codes="livelihood_program", es="Programa", en="Program"),
                _on("recorded_on", "ocurrió", "it happened", req=True),
                _c(
                    "stage",
                    codes="selection_stage",
                    es="Etapa (solo stage)",
                    en="Stage (stage only)",
                ),
                _c("score", "int", es="Puntaje 0-100 (solo stage)", en="Score 0-100 (stage only)"),
                _c(
                    "passed",
                    "bool",
                    es="Aprobó: si/no (solo stage)",
                    en="Passed: yes/no (stage only)",
                ),
                _c(
                    "outcome",
                    codes="livelihood_outcome",
                    es="Resultado (solo outcome)",
                    en="Outcome (outcome only)",
                ),
            ),
            ("participant_ref", "record", "program", "stage", "outcome", "recorded_on"),
            "Medios de vida",
            "Livelihood records",
        ),
        Kind(
            "referrals",
            (
                _c(
                    "referral_ref",
                    "ref",
                    req=True,
                    es="Código de la derivación",
                    en="The referral's reference",
                ),
                _CASE,
                _c(
                    "unit",
                    req=True,
                    es="Unidad receptora: su nombre en el directorio o su id",
                    en="Receiving unit: its directory name or id",
                ),
                _REGION,
                _ADMIN2,
                _on("requested_on", "se derivó", "referred"),
                _c(
                    "assistance_type",
                    req=True,
                    codes="assistance_type",
                    es="Tipo de asistencia",
                    en="Assistance type",
                ),
                _c("reason", req=True, codes="referral_reason", es="Motivo", en="Reason"),
                _c("urgency", codes="urgency", es="Urgencia", en="Urgency"),
                _c(
                    "shared_full_name",
                    es="Nombre compartido con la unidad",
                    en="Name shared with the unit",
                ),
                _c("shared_contact_phone", es="Teléfono compartido", en="Phone shared"),
                _c(
                    "shared_preferred_contact_time",
                    codes="contact_time",
                    es="Horario de contacto",
                    en="Contact time",
                ),
                _c(
                    "shared_document_type",
                    codes="document_type",
                    es="Tipo de documento compartido",
                    en="Document type shared",
                ),
                _c(
                    "shared_document_number",
                    es="Número de documento compartido",
                    en="Document number shared",
                ),
                _c(
                    "shared_age_group",
                    codes="age_group",
                    es="Grupo de edad compartido",
                    en="Age group shared",
                ),
                _c("shared_sex", codes="sex", es="Sexo compartido", en="Sex shared"),
                _c("shared_pregnant", "bool", es="Gestante: si/no", en="Pregnant: yes/no"),
                _on("accepted_on", "la unidad aceptó", "the unit accepted"),
                _on("rejected_on", "la unidad rechazó", "the unit rejected"),
                _c(
                    "rejection_reason",
                    codes="rejection_reason",
                    es="Motivo del rechazo",
                    en="Rejection reason",
                ),
                _on("completed_on", "la unidad completó la atención", "the unit completed"),
                _c(
                    "outcome", codes="referral_outcome", es="Resultado de la atención", en="Outcome"
                ),
                _c(
                    "answered_by",
                    codes="answerer_role",
                    es="Quién respondió en la unidad",
                    en="Who answered at the unit",
                ),
                _c(
                    "answer_channel",
                    codes="answer_channel",
                    es="Por qué medio respondió",
                    en="How the unit answered",
                ),
            ),
            ("referral_ref",),
            "Derivaciones y respuestas",
            "Referrals with their answers",
        ),
        Kind(
            "vouchers",
            (
                _c(
                    "voucher_ref",
                    "ref",
                    req=True,
                    es="Código del vale en el programa",
                    en="The voucher's reference",
                ),
                _CASE,
                _c(
                    "provider",
                    es="Proveedor: su nombre en el directorio o su id",
                    en="Provider: its directory name or id",
                ),
                _REGION,
                _ADMIN2,
                _c(
                    "services",
                    "list",
                    req=True,
                    codes="voucher_service",
                    es="Servicios, separados por ;",
                    en="Services, ';'-separated",
                ),
                _c(
                    "amount",
                    "money",
                    req=True,
                    es=f"Monto máximo ({_CURRENCY})",
                    en=f"Maximum amount ({_CURRENCY})",
                ),
                _c("valid_until", "date", req=True, es="Válido hasta", en="Valid until"),
                _c("urgency", codes="urgency", es="Urgencia", en="Urgency"),
                _on("issued_on", "se emitió", "issued"),
                _on(
                    "approved_on",
                    "se aprobó (montos sobre el tope)",
                    "approved (amounts above the cap)",
                ),
                _on("redeemed_on", "la clínica lo canjeó", "the clinic redeemed it"),
                _c("redeemed_amount", "money", es="Monto canjeado", en="Amount redeemed"),
                _c(
                    "redeemed_services",
                    "list",
                    codes="voucher_service",
                    es="Servicios prestados, separados por ;",
                    en="Services given, ';'-separated",
                ),
                _c(
                    "receipt_number",
                    es="Número de comprobante de la clínica",
                    en="The clinic's receipt number",
                ),
            ),
            ("voucher_ref",),
            "Vales y sus canjes",
            "Vouchers with their redemptions",
        ),
        Kind(
            "group_activities",
            (
                _c(
                    "activity_ref",
                    "ref",
                    req=True,
                    es="Código de la actividad en el registro del programa",
                    en="The activity's reference in the program's records",
                ),
                _c(
                    "kind",
                    req=True,
                    codes="group_activity_kind",
                    es="Tipo de actividad grupal",
                    en="Kind of group activity",
                ),
                _REGION,
                _on("held_on", "se realizó", "it was held", req=True),
                *_headcounts(),
            ),
            ("activity_ref",),
            "Actividades grupales (conteos)",
            "Group activities (headcounts)",
        ),
    )
}
