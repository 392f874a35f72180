"""The signed-in dashboard's table: where each indicator should be by today, and its status in
words and shape (not colour alone), from the indicators API's `expected` and `status`."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from web import i18n
from web.context import TEMPLATES

ATTAINMENT = {
    "view": "exact",
    "start": "2022-09-01",
    "end": "2023-08-31",
    "indicators": [
        {"id": "OE2.7", "title": "PAP", "target": 8550, "value": 2, "percent": 0.0,
         "expected": 4263.3, "status": "behind"},
        {"id": "OE1.1", "title": "VBG", "target": None, "value": "<5", "percent": None,
         "expected": None, "status": None},
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    ("language", "expected", "status"),
    [("es", "4.263", "\u25bc Atrasado"), ("en", "4,263", "\u25bc Behind")],
)
def test_the_table_says_where_each_indicator_should_be_and_whether_it_is(
    language: str, expected: str, status: str
) -> None:
    signed = SimpleNamespace(principal=None, session=SimpleNamespace(name="", csrf=""))
    html = TEMPLATES.env.get_template("dashboard.html").render(
        signed=signed,
        request=SimpleNamespace(url=SimpleNamespace(path="/tablero")),
        lang=language,
        t=lambda key, **values: i18n.translate(language, key, **values),
        versions=[{"key": "y2", "title": "Y2"}],
        chosen="y2",
        attainment=ATTAINMENT,
        refusal=None,
    )
    row = html[html.index('data-indicator="OE2.7"') :].split("</tr>")[0]
    column = i18n.translate(language, "dashboard.expected_col")  # named beside it on a phone
    assert f'<td class="num" data-label="{column}">{expected}</td>' in row
    assert 'data-status="behind"' in row
    assert status in row.replace('<span aria-hidden="true">', "").replace("</span>", "")
    assert i18n.translate(language, "dashboard.expected_col") in html
    protected = html[html.index('data-indicator="OE1.1"') :].split("</tr>")[0]
    assert 'data-status=""' in protected
