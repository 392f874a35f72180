"""The group-activity page: the program's kinds and a count per sex and age group, sent as the
cases service's cells."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from services.cases.group_activity_requests import GroupActivityRequest
from tests.unit.web.signed_in import sign_in, web_app
from web import i18n
from web.context import TEMPLATES
from web.pages.group_activities import cell_name, cells, held_at


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_page_offers_the_program_s_kinds_and_the_whole_grid(language: str) -> None:
    signed = SimpleNamespace(principal=None, session=SimpleNamespace(name="", csrf="c"))
    html = TEMPLATES.env.get_template("group_activity.html").render(
        signed=signed,
        request=SimpleNamespace(url=SimpleNamespace(path="/actividades/nueva")),
        lang=language,
        t=lambda key, **values: i18n.translate(language, key, **values),
        key="k",
        region="tumbes",
        kinds=[("fair", "Feria"), ("talk", "Charla")],
        sexes=[("woman", "Mujer"), ("man", "Hombre")],
        ages=[("youth", "Jóvenes"), ("adults", "Adultos/as")],
        cell=cell_name,
        form={},
        refusal=None,
    )

    assert '<option value="talk">Charla</option>' in html
    assert html.count('type="number" min="0" max="1000000"') == 4
    assert 'name="count_man_adults"' in html
    corner = i18n.translate(language, "field.age_group")
    assert f'<th scope="col">{corner}</th>' in html  # no empty header cell (axe-core)
    assert i18n.translate(language, "activity.button") in html


def test_the_grid_becomes_the_request_s_cells_and_a_day_midday_in_the_program_s_zone() -> None:
    form = {"count_woman_youth": "12", "count_man_adults": "0", "count_man_youth": " ", "x": "3"}

    sent = cells(form)
    body = GroupActivityRequest.model_validate(
        {"kind": "fair", "region": "tumbes", "headcounts": sent, "held_at": held_at("2024-03-05")}
    )

    assert sent == [{"sex": "woman", "age_group": "youth", "count": 12}]
    assert body.held_at is not None and body.held_at.isoformat() == "2024-03-05T17:00:00+00:00"
    assert held_at("5 de marzo") == "5 de marzo"  # the service names it


@pytest.mark.parametrize(
    ("language", "first", "last"),
    [("es", "Primera infancia (0 - 5 años)", "Adultos/as mayores (60 y más años)"),
     ("en", "Early childhood (0 - 5 years)", "Older adults (60 years and over)")],
)  # fmt: skip
def test_the_grid_names_each_age_group_with_its_years_as_the_reports_do(
    language: str, first: str, last: str
) -> None:
    with web_app(SimpleNamespace()) as client:
        sign_in(client, language)
        html = client.get("/actividades/nueva").text

    rows = [re.sub("<[^>]+>", "", row) for row in re.findall('<th scope="row">(.+?)</th>', html)]
    assert rows[0] == first and rows[-1] == last and len(rows) == 7
    assert f'aria-label="{i18n.translate(language, "code.woman")}, {first}"' in html
    # One width for the age groups, the rest shared by the sexes (fixed layout): equal columns.
    assert '<table class="grid">' in html and '<col class="ages"><col span="3">' in html
