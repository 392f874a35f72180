"""The audit page names what was done in the page's language: every action the services write to
their audit logs has a label in both catalogs, and a code without one is still shown as it is."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from access.policy import POLICY
from web import i18n
from web.context import TEMPLATES

ROOT = Path(__file__).resolve().parents[3]
_ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")
_WHO = {"principal", "recorded_by", "clinic"}
"""The names the services give the one who acted, beside the action, in every audit call."""


def audited_actions() -> set[str]:
    """The actions of the audit logs: every rule of the policy (a refusal is recorded under the
    action refused) and every action literal written beside the actor (`AuditRecord.by(principal,
    "voucher.lookup", ...)`, `changed(ports, case_id, "case.close", rule, principal, ...)`) or as
    a review's decision (`Decision("field_submission.apply", ...)`) in the services' code."""
    found = set(POLICY)
    for path in [*(ROOT / "services").rglob("*.py"), *(ROOT / "access").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            values = [*node.args, *(k.value for k in node.keywords)]
            names = {v.id for v in values if isinstance(v, ast.Name)}
            called = node.func.id if isinstance(node.func, ast.Name) else ""
            if names & _WHO or called == "Decision":
                found |= {
                    v.value
                    for v in values
                    if isinstance(v, ast.Constant)
                    and isinstance(v.value, str)
                    and _ACTION.match(v.value)
                }
    return found


def test_the_scan_finds_the_actions_written_outside_the_policy() -> None:
    found = audited_actions()
    assert {"voucher.lookup", "case.close", "field_submission.apply", "budget.set"} <= found
    assert "uvicorn.error" not in found  # a logger's name is no action


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_audited_action_has_a_label(language: str) -> None:
    labels = i18n.catalog(language)
    missing = sorted(a for a in audited_actions() if f"audit.action.{a}" not in labels)
    assert not missing, missing


def _audit_table(language: str, records: list[dict[str, str]]) -> str:
    signed = SimpleNamespace(principal=None, session=SimpleNamespace(name="", csrf="c"))
    return TEMPLATES.env.get_template("admin.html").render(
        signed=signed,
        request=SimpleNamespace(url=SimpleNamespace(path="/admin"), query_params={}),
        lang=language,
        t=lambda key, **values: i18n.translate(language, key, **values),
        providers=[], units=[], grants={}, regions=[], services=[],
        audit={"records": records},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("language", "action", "role", "outcome"),
    [("es", "Vale emitido", "Gestor(a) de casos", "Hecho"),
     ("en", "Voucher issued", "Caseworker", "Done")],
)  # fmt: skip
def test_the_audit_table_shows_labels_and_keeps_the_code(
    language: str, action: str, role: str, outcome: str
) -> None:
    record = {"recorded_at": "2026-03-01T15:00:00Z", "actor_subject": "a1",
              "actor_role": "caseworker", "action": "voucher.issue", "outcome": "done"}  # fmt: skip
    html = _audit_table(language, [record])

    assert f'<data value="voucher.issue">{action}</data>' in html
    assert f'<data value="caseworker">{role}</data>' in html
    assert f'<data value="done">{outcome}</data>' in html
    assert ">voucher.issue<" not in html


def test_an_action_without_a_label_is_shown_as_its_code() -> None:
    record = {"recorded_at": "2026-03-01T15:00:00Z", "actor_subject": "a1",
              "actor_role": "auditor", "action": "ledger.reopen", "outcome": "done"}  # fmt: skip
    html = _audit_table("es", [record])

    assert '<data value="ledger.reopen">ledger.reopen</data>' in html
    assert '<data value="auditor">auditor</data>' in html
