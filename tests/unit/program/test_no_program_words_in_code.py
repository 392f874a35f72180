"""No module names a Peruvian region, service, institution, identity document, livelihood line,
regularization profile, case type, its start or its currency: those are the program file's.

Another program runs with another file and no code change only if the code holds none of Peru's
words. Allowed: the program and logframe files themselves (data, not modules), the tests (their
Peru data is `tests/support/peru.py`), and the few modules whose job is to play Peru's program
as a fixture (the demo year, the benchmarks, the reliability journeys, the demo accounts).
"""

from __future__ import annotations

import re
from pathlib import Path

from program.load import DEFAULT_PROGRAM_FILE, load_program
from program.model import DEFAULT_DOCUMENT_TYPES, Term

ROOT = Path(__file__).resolve().parents[3]

FIXTURES = (
    "tests/",
    "deploy/demo/",  # a year of Peru's program played through the APIs
    "bench/",  # benchmarks over Peru's data
    "reliability/",  # load journeys of Peru's caseworkers and clinics
    "deploy/local/sign_in_accounts.py",  # the demo's sign-in accounts (a CEM unit, Lima's team)
    "deploy/keycloak/accounts.py",  # the same accounts in Keycloak
)

INSTITUTIONS = (
    "Centro Emergencia Mujer", "Seguro Integral", "Defensoría", "Migraciones", "Fiscalía",
    "Mininter", "Lima", "Callao",
)  # fmt: skip


def _own(documents: list[Term]) -> list[str]:
    """Peru's document types less those any program has (passport, other, none)."""
    return [d.code for d in documents if d.code not in {t.code for t in DEFAULT_DOCUMENT_TYPES}]


def _words() -> re.Pattern[str]:
    peru = load_program(DEFAULT_PROGRAM_FILE)
    names = [t.code for t in peru.territories.units]
    names += [t.labels.es for t in peru.territories.units] + [
        t.labels.en for t in peru.territories.units
    ]
    names += [d.code for d in peru.referral_destinations] + list(INSTITUTIONS)
    names += [t.code for t in peru.livelihood_programs] + _own(peru.document_types)
    # Peru's own case types (`health`, `livelihoods`, `in_transit` are also common words).
    names += [
        k.code for k in peru.case_types if k.code not in {"health", "livelihoods", "in_transit"}
    ]
    assert peru.start is not None
    start = peru.start  # its phase's first day, as an ISO date or as `date(2021, 9, 1)`
    names += [start.isoformat(), f"date({start.year}, {start.month}, {start.day})"]
    names += [peru.currency]
    services = [s.code for s in peru.services] + [c.code for c in peru.voucher_coverage]
    # "vulnerability" is also a list of the imports (people's vulnerability profiles).
    services += [p.code for p in peru.regularization_profiles if p.code != "vulnerability"]
    word = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    quoted = "|".join(re.escape(s) for s in services)  # "lodging" as a value, not the English word
    assert peru.currency_sign is not None
    sign = re.escape(peru.currency_sign) + r"(?=[\s{])"  # the sol's sign before an amount
    return re.compile(rf"(?<![\w])({word})(?![\w])|[\"']({quoted})[\"']|{sign}")


def test_no_module_names_peru_s_regions_services_or_institutions() -> None:
    words = _words()
    found = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
        for path in sorted(ROOT.rglob("*.py"))
        if not str(path.relative_to(ROOT)).startswith((".venv", ".cache", *FIXTURES))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in [words.search(line)]
        if match
    ]

    assert found == []


def test_the_check_would_see_a_region_named_in_code() -> None:
    words = _words()

    assert words.search('if region == "tumbes":')
    assert words.search("referrals to CEM and SIS")
    assert words.search('service_type="kit_caminante"')
    assert not words.search("lodging is at most 7 nights per stay")


def test_the_check_would_see_a_document_line_profile_start_or_currency_named_in_code() -> None:
    words = _words()

    assert words.search("document_type: DocumentType = DocumentType.PTP  # ptp")
    assert words.search("IMPULSATE_PANA = 'impulsate_pana'")
    assert words.search('regularization_profile="expired_permit_and_fines"')
    assert words.search("if case_type == 'migratory_regularization':")
    assert words.search("SENSITIVE = {gbv_protection}")
    assert not words.search('destination = "mental_health_care"')
    assert words.search("program_start: date = date(2021, 9, 1)")
    assert words.search('"2021-09-01"')
    assert words.search('return f"S/ {text}"')
    assert words.search('currency: str = "PEN"')
    assert words.search("amount must be greater than 0.00 PEN")
    assert not words.search('document_type: KnownDocumentType = "none"')
    assert not words.search("a passport or other document; amounts in the program's currency")
