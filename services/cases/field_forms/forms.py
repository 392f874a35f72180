"""The five field forms: registration with consent per purpose, services delivered, outreach
attendance lists, livelihood follow-ups, group activities with headcounts.

Question names are the API's field names (`services.cases.*_requests`), so an answer becomes a
request body as it is (except the services form's `case_region`, asked only to offer the case
region's provinces as `admin2`); a person's coarse attributes are one optional question per
attribute of the program (`attribute_<code>`), read back into the request's `attributes`
(`bodies.registration`);
a group activity's headcounts are one integer per sex and age group of the
program (`count_<sex>_<age group>`), read back into the request's cells (`bodies.group_activity`).
"""

from __future__ import annotations

from enum import StrEnum

from contracts.consent import ConsentGiver
from contracts.outreach import DeliveryMode
from contracts.people import Sex, VulnerabilityProfile
from contracts.vocabulary import (
    ConsentPurpose,
    MessageChannel,
    MessageTopic,
)
from program.load import current_program
from services.cases.acts_requests import MAX_BULK
from services.cases.case_requests import DeliverRequest
from services.cases.field_forms.choices import CodeList, ProgramList
from services.cases.field_forms.xlsform import UUID_PATTERN, Form, Question, mirror
from services.cases.group_activity_requests import HeadcountCell
from services.cases.participant_requests import RegisterRequest


class FormKind(StrEnum):
    REGISTRATION = "registration"
    SERVICES = "services"
    OUTREACH = "outreach"
    LIVELIHOOD = "livelihood"
    GROUP_ACTIVITY = "group_activity"


class YesNo(StrEnum):
    YES = "yes"
    NO = "no"


_META = (
    Question("start", "start"),
    Question("end", "end"),
    Question("username", "username"),
    Question("deviceid", "deviceid"),
)
_ID = f"regex(., '{UUID_PATTERN}')"
_LETTER = "regex(., '[A-Za-zÀ-ÖØ-öø-ÿ]')"  # a name holds a letter (contracts.scalars)


def _id(name: str, es: str, en: str) -> Question:
    """A participant or case id, typed or read from the person's card (QR)."""
    return Question("text", name, es, en, required=True, constraint=_ID)


def _select(name: str, es: str, en: str, **kwargs: str) -> Question:
    return Question(f"select_one {name}", name, es, en, required=True, **kwargs)


def attribute_question(code: str) -> str:
    """The question holding a person's value of one of the program's coarse attributes."""
    return f"attribute_{code}"


def coarse_attributes() -> tuple[tuple[Question, ...], dict[str, CodeList]]:
    """The program's population type and each of its attributes as optional single choices,
    with their code lists; a sensitive attribute's label says answering is voluntary."""
    program = current_program()
    asked: list[Question] = []
    lists: dict[str, CodeList] = {}
    if program.population_types:
        asked.append(Question("select_one population_type", "population_type",
                              "Tipo de población", "Population type"))  # fmt: skip
        lists["population_type"] = ProgramList("population_type")
    for attribute in program.attributes:
        name = attribute_question(attribute.code)
        es, en = attribute.labels.es, attribute.labels.en
        if attribute.sensitive:
            es, en = f"{es} (responder es voluntario)", f"{en} (answering is voluntary)"
        asked.append(Question(f"select_one {name}", name, es, en))
        lists[name] = ProgramList(attribute.code)
    return tuple(asked), lists


_ATTRIBUTES, _ATTRIBUTE_LISTS = coarse_attributes()  # read when the forms are first imported


def admin2_question(region: str) -> tuple[tuple[Question, ...], dict[str, CodeList]]:
    """The program's level below the recorded one (Peru: the province; the R4V 5W's Admin2) as
    an optional single choice offering only the territories inside the answer to the question
    `region` (XLSForm `choice_filter`), with its code list; nothing when the program has no
    such level."""
    program = current_program()
    below = program.territories.admin2()
    if not below:
        return (), {}
    level = next(lv for lv in program.territories.levels if lv.code == below[0].level)
    asked = Question(
        "select_one admin2", "admin2", level.labels.es, level.labels.en,
        relevant=f"${{{region}}} != ''", choice_filter=f"parent = ${{{region}}}",
    )  # fmt: skip
    return (asked,), {"admin2": ProgramList("admin2")}


_CASE_ADMIN2, _ADMIN2_LIST = admin2_question("case_region")
_ADMIN2, _ = admin2_question("region")
# Services: the case's region is the case's (not asked by the API); asked here only to offer its
# provinces. A province outside the case's region is refused (`admin2_outside_region`).
_CASE_REGION = (
    (Question("select_one region", "case_region", "Región del caso (para elegir la provincia)",
              "Case's region (to choose the province)"),)
    if _CASE_ADMIN2 else ()
)  # fmt: skip

REGISTRATION = Form(
    "pana_registration", "Registro y consentimiento", "Registration and consent",
    (
        *_META,
        Question("begin_group", "person", "Persona", "Person"),
        Question("text", "given_names", "Nombres", "Given names", required=True,
                 constraint=mirror(RegisterRequest, "given_names", extra=_LETTER)),
        Question("text", "family_names", "Apellidos", "Family names", required=True,
                 constraint=mirror(RegisterRequest, "family_names", extra=_LETTER)),
        _select("document_type", "Tipo de documento", "Document type", default="none"),
        Question("text", "document_number", "Número de documento", "Document number",
                 required=True, relevant="${document_type} != 'none'",
                 constraint=mirror(RegisterRequest, "document_number")),
        Question("text", "phone", "Teléfono", "Phone", appearance="numbers",
                 constraint=mirror(RegisterRequest, "phone")),
        _select("sex", "Sexo", "Sex"),
        Question("select_one yes_no", "birth_date_known", "¿Conoce su fecha de nacimiento?",
                 "Is the birth date known?", required=True),
        Question("date", "birth_date", "Fecha de nacimiento", "Birth date", required=True,
                 relevant="${birth_date_known} = 'yes'",
                 constraint=". <= today() and . >= date('1900-01-01')"),
        Question("integer", "estimated_age_years", "Edad estimada (años)", "Estimated age (years)",
                 required=True, relevant="${birth_date_known} = 'no'",
                 constraint=mirror(RegisterRequest, "estimated_age_years")),
        Question("text", "nationality", "Nacionalidad (ISO, p. ej. VEN)",
                 "Nationality (ISO, e.g. VEN)", required=True, default="VEN",
                 constraint=mirror(RegisterRequest, "nationality")),
        _select("region", "Región", "Region"),
        *_ATTRIBUTES,
        Question("select_multiple vulnerabilities", "vulnerabilities", "Vulnerabilidades",
                 "Vulnerabilities", constraint=mirror(RegisterRequest, "vulnerabilities")),
        Question("end_group", "person"),
        Question("begin_group", "consent", "Consentimiento", "Consent"),
        Question("select_one yes_no", "consent_given", "¿Da su consentimiento?",
                 "Is consent given?", required=True),
        Question("select_multiple purposes", "purposes", "Para qué", "Purposes", required=True,
                 relevant="${consent_given} = 'yes'"),
        Question("select_multiple destinations", "destinations", "Instituciones",
                 "Destinations", relevant="selected(${purposes}, 'referral_sharing')"),
        _select("given_by", "Lo da", "Given by", default="participant",
                relevant="${consent_given} = 'yes'"),
        Question("end_group", "consent"),
    ),
    {"document_type": ProgramList("document_type"), "sex": Sex, "yes_no": YesNo,
     "region": ProgramList("territory"), "vulnerabilities": VulnerabilityProfile,
     "purposes": ConsentPurpose, "destinations": ProgramList("destination"),
     "given_by": ConsentGiver, **_ATTRIBUTE_LISTS},
)  # fmt: skip

_CURRENCY = current_program().currency
_PAID = " or ".join(  # the program's paid services; read when the forms are first imported
    f"${{service_type}} = '{s.code}'" for s in current_program().services if s.paid
)

SERVICES = Form(
    "pana_services", "Servicios entregados", "Services delivered",
    (
        *_META,
        _id("case_id", "Código del caso", "Case id"),
        _select("service_type", "Servicio", "Service"),
        Question("integer", "quantity", "Cantidad (noches de alojamiento)",
                 "Quantity (nights of lodging)", required=True, default="1",
                 constraint=mirror(DeliverRequest, "quantity")),
        Question("text", "cost", f"Costo ({_CURRENCY}, p. ej. 180.00)",
                 f"Cost ({_CURRENCY}, e.g. 180.00)",
                 required=True, relevant=_PAID, appearance="numbers",
                 constraint="regex(., '^(0|[1-9][0-9]{0,9})(\\.[0-9]{1,2})?$') and . > 0"),
        *_CASE_REGION,
        *_CASE_ADMIN2,
    ),
    {"service_type": ProgramList("service"),
     **({"region": ProgramList("territory")} if _CASE_REGION else {}), **_ADMIN2_LIST},
)  # fmt: skip

OUTREACH = Form(
    "pana_outreach", "Lista de asistencia", "Outreach attendance list",
    (
        *_META,
        _select("region", "Región", "Region"),
        *_ADMIN2,
        _select("topic", "Tema", "Topic"),
        _select("channel", "Canal", "Channel"),
        _select("delivery_mode", "Modalidad", "Delivery mode", default="in_person"),
        Question("begin_repeat", "attendees", "Asistentes", "Attendees"),
        Question("text", "participant_id", "Código de la persona", "Participant id",
                 required=True, constraint=f"{_ID} and position(..) <= {MAX_BULK}"),
        Question("end_repeat", "attendees"),
    ),
    {"region": ProgramList("territory"), **_ADMIN2_LIST, "topic": MessageTopic,
     "channel": MessageChannel, "delivery_mode": DeliveryMode},
)  # fmt: skip

LIVELIHOOD = Form(
    "pana_livelihood", "Seguimiento de medios de vida", "Livelihood follow-up",
    (
        *_META,
        _id("participant_id", "Código de la persona", "Participant id"),
        _select("program", "Programa", "Program"),
        _select("outcome", "Resultado verificado", "Verified outcome"),
    ),
    {"program": ProgramList("livelihood_program"), "outcome": ProgramList("livelihood_outcome")},
)  # fmt: skip


def count_question(sex: str, age_group: str) -> str:
    """The question holding how many of one sex and age group took part in a group activity."""
    return f"count_{sex}_{age_group}"


def _headcounts() -> tuple[Question, ...]:
    """A group per sex of the program, an integer per age group; then the total checked."""
    program = current_program()
    cells = [(s, a) for s in program.ordered("sex") for a in program.ordered("age_group")]
    rows: list[Question] = []
    for sex in program.terms("sex"):
        rows.append(Question("begin_group", sex.code, sex.labels.es, sex.labels.en))
        rows.extend(
            Question("integer", count_question(sex.code, age.code), age.labels.es, age.labels.en,
                     required=True, default="0", constraint=mirror(HeadcountCell, "count"))
            for age in program.age_groups
        )  # fmt: skip
        rows.append(Question("end_group", sex.code))
    total = " + ".join(f"${{{count_question(s, a)}}}" for s, a in cells)
    checked = Question(
        "acknowledge", "counts_checked", "Conteos revisados (al menos una persona)",
        "Counts checked (at least one person)", required=True, constraint=f"({total}) >= 1",
    )  # fmt: skip
    rows.append(checked)
    return tuple(rows)


GROUP_ACTIVITY = Form(
    "pana_group_activity", "Actividad grupal", "Group activity",
    (
        *_META,
        _select("region", "Región", "Region"),
        _select("kind", "Tipo de actividad", "Kind of activity"),
        *_headcounts(),
    ),
    {"region": ProgramList("territory"), "kind": ProgramList("group_activity_kind")},
)  # fmt: skip

FORMS: dict[FormKind, Form] = {
    FormKind.REGISTRATION: REGISTRATION,
    FormKind.SERVICES: SERVICES,
    FormKind.OUTREACH: OUTREACH,
    FormKind.LIVELIHOOD: LIVELIHOOD,
    FormKind.GROUP_ACTIVITY: GROUP_ACTIVITY,
}
BY_ID = {form.form_id: kind for kind, form in FORMS.items()}
