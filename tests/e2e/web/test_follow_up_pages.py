"""The pages that follow up what the journey started (issue 26's second round), in Debian's
chromium, each person signed in through Keycloak's login page; the services' APIs confirm what
each page did.

A supervisor approves one above-cap voucher and refuses another from the list awaiting approval,
and is told plainly when a stale page tries to decide one already decided; a caseworker withdraws
a purpose of a consent, reassigns the case and closes it (also with the reason "other" and its
code); an administrator edits a provider and a receiving unit of the directories, adds one of
each by form and renames the unit (and is told, in Spanish, what a form lacks); a caseworker
registers a person on a page that asks nationality once, and records a group activity whose
headcounts reach the indirect figure. Every page passes axe-core with no violation at all and is
photographed at 390 px and 1280 px.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize

from tests.e2e.web.conftest import ARTIFACTS, WebSystem
from tests.support.waiting import until

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=900)
LIMA = ["lima_callao"]
_axe = Axe()


async def _context(browser: Browser, viewport: ViewportSize) -> BrowserContext:
    phone = viewport == PHONE
    return await browser.new_context(
        viewport=viewport, locale="es-PE", is_mobile=phone, has_touch=phone
    )


async def _look(page: Page, name: str) -> None:
    """axe-core finds nothing (any impact); the page, whole, at phone and desktop width."""
    violations = (await _axe.run(page)).response["violations"]
    found = [(v["id"], v.get("impact"), [n["html"][:120] for n in v["nodes"]]) for v in violations]
    assert not found, f"{name}: {found}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("390", PHONE), ("1280", DESKTOP)):
        await page.set_viewport_size(viewport)
        wide = await page.evaluate("document.documentElement.scrollWidth")
        assert wide <= viewport["width"], f"{name} scrolls sideways at {viewport['width']} px"
        await page.screenshot(path=ARTIFACTS / f"{name}-{label}.png", full_page=True)
    if size:
        await page.set_viewport_size(size)


async def _person_with_a_case(system: WebSystem) -> tuple[str, str, str, str]:
    """A participant of Lima with consent (services, referral sharing to a CEM) and a case,
    made through the cases API: (participant, consent, case, the case's event position)."""
    cases = system.cases.client("caseworker", regions=LIMA)
    made = await cases.post("/participants", json={
        "given_names": "Marta", "family_names": "Ficticia Seguimiento", "sex": "woman",
        "birth_date": "1988-02-11", "document_type": "none", "nationality": "VEN",
        "region": "lima_callao"})  # fmt: skip
    assert made.status_code == 201, made.text
    participant = made.json()["participant_id"]
    consent = await cases.post(f"/participants/{participant}/consents", json={
        "purposes": ["services", "referral_sharing"], "destinations": ["CEM"],
        "given_by": "participant"})  # fmt: skip
    assert consent.status_code == 201, consent.text
    case = await cases.post("/cases", json={
        "participant_id": participant, "case_type": "gbv_protection",
        "intake_channel": "admission_form", "region": "lima_callao"})  # fmt: skip
    assert case.status_code == 201, case.text
    opened = case.json()
    return participant, consent.json()["consent_id"], opened["case_id"], opened["position"]


async def _above_cap(system: WebSystem, participant: str, case: str, position: str) -> str:
    """A voucher above the standard cap (it awaits a supervisor), issued once the vouchers
    service's copy of who exists has the case (`Pana-After`, retried while it is behind)."""
    vouchers = system.vouchers.client("caseworker", regions=LIMA)
    body = {"case_id": case, "participant_id": participant, "provider_id": system.provider_id,
            "region": "lima_callao", "services": ["exams"], "amount": "2500.00",
            "valid_until": f"{date.today() + timedelta(days=60)}T23:59:59-05:00"}  # fmt: skip
    answers: list[httpx.Response] = []

    async def issue() -> bool:
        answers.append(await vouchers.post("/vouchers", json=body,
                                           headers={"Pana-After": position}))  # fmt: skip
        assert answers[-1].status_code in (201, 409), answers[-1].text
        return answers[-1].status_code == 201

    await until(issue, within=120, what="the vouchers service knows the case")
    assert answers[-1].json()["status"] == "awaiting_approval"
    return str(answers[-1].json()["voucher_id"])


async def test_a_supervisor_approves_and_refuses_vouchers_from_the_list(
    system: WebSystem, browser: Browser
) -> None:
    participant, _, case, position = await _person_with_a_case(system)
    approve, refuse = [await _above_cap(system, participant, case, position) for _ in range(2)]

    supervisor_context = await _context(browser, PHONE)
    supervisor = await supervisor_context.new_page()
    await system.sign_in(supervisor, "supervisora.lima", "/aprobaciones")
    assert await supervisor.inner_text("h1") == "Vales por aprobar"
    await supervisor.wait_for_selector(f'[data-voucher="{approve}"]')
    assert "S/ 2.500,00" in await supervisor.inner_text(f'[data-voucher="{refuse}"] h2')
    await _look(supervisor, "approvals")
    stale = await supervisor_context.new_page()  # the same list, left open in another tab
    await stale.goto(f"{system.web.url}/aprobaciones")

    await supervisor.click(f'[data-voucher="{approve}"] button:has-text("Aprobar")')
    await supervisor.wait_for_selector("text=Vale aprobado: ya puede canjearse.")
    await supervisor.select_option(f"#reason-{refuse}", "issued_in_error")
    await supervisor.click(f'[data-voucher="{refuse}"] button:has-text("Rechazar")')
    await supervisor.wait_for_selector("text=Vale rechazado y anulado.")
    assert await supervisor.locator("[data-voucher]").count() == 0
    await _look(supervisor, "approvals-done")

    # The stale tab still offers the approved voucher: refusing it now is refused (its version
    # moved on), and the page says why. (Approving it again there would be the same request
    # as the first, Idempotency-Key included: answered as done, as a double click is.)
    await stale.click(f'[data-voucher="{approve}"] button:has-text("Rechazar")')
    alert = await stale.inner_text("[role=alert]")
    assert "Otra persona cambió este registro" in alert, alert
    await _look(stale, "approvals-refused")

    staff = system.vouchers.client("supervisor", regions=LIMA)
    statuses = [(await staff.get(f"/vouchers/{v}")).json()["status"] for v in (approve, refuse)]
    assert statuses == ["active", "cancelled"]


async def test_a_caseworker_withdraws_consent_reassigns_and_closes_the_case(
    system: WebSystem, browser: Browser
) -> None:
    participant, consent, case, _ = await _person_with_a_case(system)
    colleague = str(uuid.uuid4())
    page = await (await _context(browser, DESKTOP)).new_page()
    await system.sign_in(page, "gestora.lima", f"/personas/{participant}")
    await page.click(f'[data-consent="{consent}"] summary')
    await page.check(f'[data-consent="{consent}"] input[value=referral_sharing]')
    await page.select_option(f'[data-consent="{consent}"] select', "participant_request")
    await _look(page, "consent-withdraw")
    await page.click(f'[data-consent="{consent}"] button:has-text("Retirar consentimiento")')
    await page.wait_for_selector("text=Consentimiento retirado")
    cases = system.cases.client("caseworker", regions=LIMA)
    found = (await cases.get(f"/participants/{participant}/consents")).json()["consents"]
    assert [c["standing"] for c in found] == [["services"]]

    await page.goto(f"{system.web.url}/casos/{case}")
    await page.fill("#other", colleague)
    await page.select_option("#reassign-reason", "workload_balancing")
    await _look(page, "case-follow-up")
    await page.click("button:has-text('Reasignar caso')")
    await page.wait_for_selector("text=Caso reasignado.")
    assert (await cases.get(f"/cases/{case}")).json()["caseworker_id"] == colleague
    await page.select_option("#close-reason", "needs_met")
    await page.click("button:has-text('Cerrar caso')")
    await page.wait_for_selector("text=Caso cerrado.")
    assert "Necesidades atendidas" in await page.inner_text("#case-status")
    await _look(page, "case-closed")
    closed = (await cases.get(f"/cases/{case}")).json()
    assert (closed["status"], closed["closure_reason"]) == ("closed", "needs_met")

    # A mistyped colleague code is said plainly, and nothing is sent.
    await page.goto(f"{system.web.url}/casos/{case}")
    await page.select_option("#reopen-reason", "closed_in_error")
    await page.click("button:has-text('Reabrir caso')")
    await page.wait_for_selector("text=Caso reabierto.")
    await page.fill("#other", "not-a-code")
    await page.click("button:has-text('Reasignar caso')")
    assert "no es válido" in await page.inner_text("[role=alert]")
    assert (await cases.get(f"/cases/{case}")).json()["caseworker_id"] == colleague

    # Closing with "Otro" asks for the short code the API requires: without one the page says
    # so in Spanish and sends nothing; a typed phrase is written as a code.
    await page.goto(f"{system.web.url}/casos/{case}")
    await page.select_option("#close-reason", "other")
    await page.click("button:has-text('Cerrar caso')")
    assert "escriba un código corto" in await page.inner_text("[role=alert]")
    assert (await cases.get(f"/cases/{case}")).json()["status"] == "open"
    await page.goto(f"{system.web.url}/casos/{case}")
    await page.select_option("#close-reason", "other")
    await page.fill("#close-code", "Atendido por otra ONG")
    await _look(page, "case-close-other")
    await page.click("button:has-text('Cerrar caso')")
    await page.wait_for_selector("text=Caso cerrado.")
    assert "Otro" in await page.inner_text("#case-status")
    closed = (await cases.get(f"/cases/{case}")).json()
    assert (closed["status"], closed["closure_reason"]) == ("closed", "other")


FAKE_CAMERA = """
window.BarcodeDetector = class {
  static async getSupportedFormats() { return ["qr_code"]; }
  async detect() { return window.shownQr ? [{ rawValue: window.shownQr }] : []; }
};
navigator.mediaDevices.getUserMedia = async () => {
  const canvas = Object.assign(document.createElement("canvas"), { width: 64, height: 64 });
  canvas.getContext("2d").fillRect(0, 0, 64, 64);
  return canvas.captureStream(5);
};
"""
"""A phone that reads QR codes: the test's chromium has no camera, so the page is given a
stand-in camera and detector, the "camera" showing the slip's QR once the test says so."""


async def test_a_clinic_scans_the_slips_qr_with_the_camera(
    system: WebSystem, browser: Browser
) -> None:
    participant, _, case, position = await _person_with_a_case(system)
    vouchers = system.vouchers.client("caseworker", regions=LIMA)
    body = {"case_id": case, "participant_id": participant, "provider_id": system.provider_id,
            "region": "lima_callao", "services": ["exams"], "amount": "90.00",
            "valid_until": f"{date.today() + timedelta(days=30)}T23:59:59-05:00"}  # fmt: skip
    issued = await vouchers.post("/vouchers", json=body, headers={"Pana-After": position})
    assert issued.status_code == 201, issued.text
    without = await _context(browser, PHONE)
    await without.add_init_script("delete window.BarcodeDetector")
    plain = await without.new_page()
    await system.sign_in(plain, "clinica.lima", "/clinica")
    assert await plain.is_hidden("#scan")  # no BarcodeDetector: typing the code, as before

    context = await _context(browser, PHONE)
    await context.add_init_script(FAKE_CAMERA)
    page = await context.new_page()
    await system.sign_in(page, "clinica.lima", "/clinica")
    await page.wait_for_selector("#scan:not([hidden])")
    await _look(page, "clinic-scan")
    await page.click("#scan")
    await page.wait_for_selector("#scan-video:not([hidden])")
    await page.evaluate("qr => { window.shownQr = qr; }", issued.json()["qr_payload"])
    await page.wait_for_selector("#remaining")  # read, looked up: what the voucher covers
    assert "S/ 90,00" in await page.inner_text("#remaining")
    assert f"Vale {issued.json()['code']}" in await page.inner_text("main")


async def test_an_administrator_edits_a_provider_and_a_unit_of_the_directories(
    system: WebSystem, browser: Browser
) -> None:
    page = await (await _context(browser, PHONE)).new_page()
    await system.sign_in(page, "admin.pana", "/admin")
    await page.click(f'a[href="/admin/proveedores/{system.provider_id}"]')
    await page.wait_for_selector("h1:has-text('Editar establecimiento aliado')")
    await _look(page, "provider-edit")
    for service in ("consultation", "exams", "medicines"):
        await page.uncheck(f"input[name=services][value={service}]")
    await page.click("button:has-text('Guardar cambios')")
    assert "al menos un servicio" in await page.inner_text("[role=alert]")
    await _look(page, "provider-edit-refused")
    await page.fill("#name", "Policlínico Prueba Web Norte (muestra)")
    await page.check("input[name=services][value=exams]")
    await page.click("button:has-text('Guardar cambios')")
    await page.wait_for_selector("text=Establecimiento actualizado.")
    await _look(page, "admin-directory")

    await page.click(f'a[href="/admin/unidades/{system.unit_id}"]')
    await page.fill("#phone", "01 000 0123")
    await page.uncheck("#active")
    await _look(page, "unit-edit")
    await page.click("button:has-text('Guardar cambios')")
    await page.wait_for_selector("text=Unidad receptora actualizada.")

    providers = (await system.vouchers.client("administrator").get("/providers")).json()
    units = (await system.referrals.client("administrator").get("/units")).json()
    provider = next(p for p in providers if p["provider_id"] == system.provider_id)
    assert (provider["name"], provider["services"]) == (
        "Policlínico Prueba Web Norte (muestra)", ["exams"])  # fmt: skip
    unit = next(u for u in units if u["unit_id"] == system.unit_id)
    assert unit["handover_contact"]["phone"] == "01 000 0123" and unit["active"] is False
    assert unit["handover_contact"]["office"] == "Admisión (muestra)"  # kept as it was


async def test_an_administrator_adds_a_provider_and_a_unit_by_form_and_renames_the_unit(
    system: WebSystem, browser: Browser
) -> None:
    page = await (await _context(browser, PHONE)).new_page()
    await system.sign_in(page, "admin.pana", "/admin")
    await page.click('a[href="/admin/proveedores/nuevo"]')
    await page.wait_for_selector("h1:has-text('Añadir establecimiento aliado')")
    await page.fill("#name", "Farmacia Prueba Web Sur (muestra)")
    await page.select_option("#region", "piura")
    await page.select_option("#kind", "pharmacy")
    await page.check("input[name=services][value=medicines]")
    await _look(page, "provider-new")
    await page.click("button:has-text('Añadir')")
    await page.wait_for_selector("text=Establecimiento añadido.")

    unit_form = {"#name": "CEM Prueba Web Piura (muestra)", "#office": "Mesa de partes (muestra)"}
    for attempt in ("added", "refused"):  # the same name in the same region is refused
        await page.goto(f"{system.web.url}/admin")
        await page.click('a[href="/admin/unidades/nueva"]')
        await page.wait_for_selector("h1:has-text('Añadir unidad receptora')")
        for field, value in unit_form.items():
            await page.fill(field, value)
        await page.select_option("#destination", "CEM")
        await page.select_option("#region", "piura")
        if attempt == "added":
            await _look(page, "unit-new")
        await page.click("button:has-text('Añadir')")
    assert "Ya hay una unidad receptora con ese nombre" in await page.inner_text("[role=alert]")
    assert await page.input_value("#name") == "CEM Prueba Web Piura (muestra)"  # kept as typed
    await _look(page, "unit-new-refused")

    providers = (await system.vouchers.client("administrator").get("/providers")).json()
    provider = next(p for p in providers if p["name"] == "Farmacia Prueba Web Sur (muestra)")
    assert (provider["region"], provider["kind"], provider["services"]) == (
        "piura", "pharmacy", ["medicines"])  # fmt: skip
    referrals = system.referrals.client("administrator")
    units = (await referrals.get("/units", params={"region": "piura"})).json()
    [unit] = [u for u in units if u["name"] == "CEM Prueba Web Piura (muestra)"]
    assert (unit["destination"], unit["handover_contact"]["office"]) == (
        "CEM", "Mesa de partes (muestra)")  # fmt: skip

    await page.goto(f"{system.web.url}/admin/unidades/{unit['unit_id']}")
    await page.fill("#name", "CEM Prueba Web Piura Centro (muestra)")
    await page.click("button:has-text('Guardar cambios')")
    await page.wait_for_selector("text=Unidad receptora actualizada.")
    assert "CEM Prueba Web Piura Centro (muestra)" in await page.inner_text("main")
    units = (await referrals.get("/units", params={"region": "piura"})).json()
    renamed = next(u for u in units if u["unit_id"] == unit["unit_id"])
    assert renamed["name"] == "CEM Prueba Web Piura Centro (muestra)"
    assert renamed["handover_contact"] == unit["handover_contact"]  # a rename changes the name


async def test_the_dashboard_moves_by_itself_and_draws_its_charts(
    system: WebSystem, browser: Browser
) -> None:
    page = await (await _context(browser, DESKTOP)).new_page()
    await system.sign_in(page, "mye.oficial", "/tablero")
    await page.wait_for_selector("#live.on")  # the relayed stream is open
    await page.wait_for_selector('[data-chart="OE2.7"] svg.chart')  # charts follow the table
    before = int(await page.inner_text('tr[data-indicator="OE2.7"] td.value'))
    title = await page.inner_text('tr[data-indicator="OE2.7"] th')  # the logframe's Spanish
    assert title == "OE2.7 · Beneficiarios/as que recibieron primeros auxilios psicológicos (PAP)"
    await page.evaluate("window.sameDocument = true")  # gone if the page were reloaded
    _, _, case, _ = await _person_with_a_case(system)
    cases = system.cases.client("caseworker", regions=LIMA)
    delivered = await cases.post(  # now: the service's clock, after the case's opening
        f"/cases/{case}/services", json={"service_type": "psychological_first_aid"}
    )
    assert delivered.status_code == 201, delivered.text

    async def moved() -> bool:  # read in place: the page's CSP allows no evaluated strings
        return int(await page.inner_text('tr[data-indicator="OE2.7"] td.value')) > before

    await until(moved, within=60, what="the figure moves without a reload")
    assert await page.evaluate("window.sameDocument") is True
    assert int(await page.inner_text('tr[data-indicator="OE2.7"] td.value')) == before + 1
    await _look(page, "dashboard-live")


async def test_the_registration_page_asks_nationality_once(
    system: WebSystem, browser: Browser
) -> None:
    page = await (await _context(browser, PHONE)).new_page()
    await system.sign_in(page, "gestora.lima", "/personas/nueva")
    assert await page.get_by_label("Nacionalidad").count() == 1  # the ISO code, nothing beside
    assert await page.locator("[name*=nationality]").count() == 1
    await page.fill("#given_names", "Lucía")
    await page.fill("#family_names", "Ficticia Nacionalidad")
    birth = page.locator("#birth_date")  # a day as the page writes it, not the browser's own
    assert await birth.get_attribute("type") is None
    assert await birth.get_attribute("placeholder") == "dd/mm/aaaa"
    assert await page.inner_text("#birth_date-help") == "Día, mes y año: dd/mm/aaaa."
    await birth.fill("03/07/1992")  # 3 July: read month first, it would be March
    await page.get_by_label("Nacionalidad").fill("col")
    await _look(page, "register-form")
    await page.click("button:has-text('Registrar')")
    await page.wait_for_selector("text=Persona registrada")
    href = await page.get_attribute("a:has-text('Continuar con el consentimiento')", "href")
    assert href
    cases = system.cases.client("caseworker", regions=LIMA)
    person = (await cases.get(href.replace("/personas/", "/participants/"))).json()
    assert person["nationality"] == "COL"
    assert person["birth_year_month"] == "1992-07"


async def _indirect(system: WebSystem) -> int:
    """People reached by group activities in Lima (today's logframe), as M&E reads them."""
    indicators = system.indicators.client("me_officer")
    current = (await indicators.get("/logframes")).json()["current"]
    asked = {"logframe": current, "view": "exact", "region": "lima_callao", "series": "none"}
    answer = await indicators.get("/attainment", params=asked)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["indirect"]["value"])


async def test_a_caseworker_records_a_group_activity_that_reaches_the_indirect_figure(
    system: WebSystem, browser: Browser
) -> None:
    before = await _indirect(system)
    page = await (await _context(browser, PHONE)).new_page()
    await system.sign_in(page, "gestora.lima", "/casos")
    await page.click("a[href='/actividades/nueva']")
    await page.wait_for_selector("h1:has-text('Actividad grupal')")
    await page.select_option("#kind", "talk")
    rows = await page.locator("table.grid th[scope=row]").all_inner_texts()
    assert rows[0] == "Primera infancia (0 - 5 años)"  # as the reports name the age groups
    assert rows[-1] == "Adultos/as mayores (60 y más años)"
    heads = ("Mujer", "Hombre", "No binario")
    sexes = [page.locator(f"table.grid th[scope=col]:text-is('{head}')") for head in heads]
    widths = [box["width"] for box in [await sex.bounding_box() for sex in sexes] if box]
    assert len(widths) == 3 and max(widths) - min(widths) < 1, widths  # "Mujer" as wide
    cells = "[...document.querySelectorAll('table.grid th')]"
    spilled = f"{cells}.filter(c => c.scrollWidth > c.clientWidth).map(c => c.innerText)"
    assert await page.evaluate(spilled) == []  # no header spills out of its cell
    await _look(page, "group-activity")
    await page.click("button:has-text('Registrar la actividad')")  # nobody counted yet
    assert "al menos una" in await page.inner_text("[role=alert]")
    await _look(page, "group-activity-refused")

    yesterday = datetime.now(ZoneInfo("America/Lima")).date() - timedelta(days=1)
    await page.fill("#held_on", yesterday.strftime("%d/%m/%Y"))
    await page.get_by_label("Mujer, Jóvenes (18 - 29 años)", exact=True).fill("12")
    await page.get_by_label("Hombre, Adultos/as (45 - 59 años)", exact=True).fill("7")
    await page.click("button:has-text('Registrar la actividad')")
    await page.wait_for_selector("text=Se registró la actividad con 19 personas.")
    await _look(page, "group-activity-recorded")

    async def counted() -> bool:
        return await _indirect(system) > before

    await until(counted, within=60, what="the activity reaches the indirect figure")
    assert await _indirect(system) == before + 19


async def test_a_caseworker_finds_a_person_and_a_supervisor_merges_the_duplicate(
    system: WebSystem, browser: Browser
) -> None:
    phone = f"+51 9{uuid.uuid4().int % 10**8:08d}"
    cases = system.cases.client("caseworker", regions=LIMA)
    made = []
    for _ in range(2):  # the same person registered twice, by the same phone
        answer = await cases.post("/participants", json={
            "given_names": "Julia", "family_names": "Ficticia Duplicada", "sex": "woman",
            "birth_date": "1985-09-03", "document_type": "none", "nationality": "VEN",
            "region": "lima_callao", "phone": phone})  # fmt: skip
        assert answer.status_code == 201, answer.text
        made.append(answer.json()["participant_id"])
    kept, duplicate = made

    page = await (await _context(browser, PHONE)).new_page()
    await system.sign_in(page, "gestora.lima", "/casos")
    await page.fill("#code", kept[:13])  # a code cut short: said plainly, nothing found
    await page.click("button:has-text('Buscar')")
    assert "no es válido" in await page.inner_text("[role=alert]")
    await page.goto(f"{system.web.url}/casos")
    await page.fill("#phone", phone)
    await page.click("button:has-text('Buscar')")
    await page.wait_for_selector("h1:has-text('Resultados de la búsqueda')")
    found = await page.locator("main li a").evaluate_all("links => links.map(a => a.pathname)")
    assert set(found) >= {f"/personas/{kept}", f"/personas/{duplicate}"}
    await _look(page, "search-results")
    await page.goto(f"{system.web.url}/casos")
    await page.fill("#code", kept)
    await page.click("button:has-text('Buscar')")
    await page.wait_for_url(f"**/personas/{kept}")
    assert "Julia Ficticia Duplicada" in await page.inner_text("h1")

    supervisor = await (await _context(browser, PHONE)).new_page()
    await system.sign_in(supervisor, "supervisora.lima", f"/personas/{duplicate}")
    await supervisor.fill("#into", kept)
    await _look(supervisor, "person-merge")
    await supervisor.click("button:has-text('Fusionar')")
    await supervisor.wait_for_url(f"**/personas/{kept}")
    staff = system.cases.client("supervisor", regions=LIMA)
    assert (await staff.get(f"/participants/{duplicate}")).json()["merged_into"] == kept


async def _referred(system: WebSystem) -> str:
    """A referral of a consented person's case to the test's CEM, made through the API once the
    referrals service's copy of who exists has the case (`Pana-After`, retried while behind)."""
    participant, _, case, position = await _person_with_a_case(system)
    referrals = system.referrals.client("caseworker", regions=LIMA)
    body = {"case_id": case, "participant_id": participant, "unit_id": system.unit_id,
            "region": "lima_callao", "assistance_type": "psychosocial", "reason": "gbv_care",
            "urgency": "routine", "shared": {"contact_phone": "+51 987 000 111",
                                             "preferred_contact_time": "morning"}}  # fmt: skip
    answers: list[httpx.Response] = []

    async def refer() -> bool:
        answers.append(await referrals.post("/referrals", json=body,
                                            headers={"Pana-After": position}))  # fmt: skip
        assert answers[-1].status_code in (201, 403, 409), answers[-1].text
        return answers[-1].status_code == 201

    await until(refer, within=120, what="the referrals service knows the case and its consent")
    return str(answers[-1].json()["referral_id"])


async def test_a_cem_rejects_one_referral_and_completes_another_in_its_inbox(
    system: WebSystem, browser: Browser
) -> None:
    # The directory test closes the module's CEM (it unchecks "active"): open it again first.
    admin = system.referrals.client("administrator")
    reopened = await admin.patch(f"/units/{system.unit_id}", json={"active": True})
    assert reopened.status_code < 300, reopened.text
    rejected, completed = [await _referred(system) for _ in range(2)]
    context = await _context(browser, PHONE)
    page = await context.new_page()
    await system.sign_in(page, "cem.lima", "/bandeja")
    stale = await context.new_page()  # the inbox left open in another tab
    await stale.goto(f"{system.web.url}/bandeja")

    await page.select_option(f"#reason-{rejected}", "no_capacity")
    await page.click(f'[aria-labelledby="r-{rejected}"] button:has-text("Rechazar")')
    await page.wait_for_selector("text=Derivación rechazada.")
    await page.click(f'[aria-labelledby="r-{completed}"] button:has-text("Aceptar")')
    await page.wait_for_selector("text=Derivación aceptada.")
    await page.select_option(f"#outcome-{completed}", "care_started")
    await _look(page, "inbox-complete")
    await page.click(f'[aria-labelledby="r-{completed}"] button:has-text("Registrar")')
    await page.wait_for_selector("text=Resultado registrado.")

    # The stale tab still offers to accept the rejected one: refused, and said in Spanish.
    await stale.click(f'[aria-labelledby="r-{rejected}"] button:has-text("Aceptar")')
    assert "otra persona ya la respondió" in await stale.inner_text("main")
    await _look(stale, "inbox-refused")

    team = system.referrals.client("caseworker", regions=LIMA)
    answered = [(await team.get(f"/referrals/{r}")).json() for r in (rejected, completed)]
    assert [r["status"] for r in answered] == ["rejected", "completed"]


async def test_an_administrator_asks_who_touched_a_participant(
    system: WebSystem, browser: Browser
) -> None:
    participant, _, _, _ = await _person_with_a_case(system)
    page = await (await _context(browser, PHONE)).new_page()
    await system.sign_in(page, "admin.pana", "/admin")
    await page.select_option("#service", "cases")
    await page.select_option("#resource_type", "participant")
    assert await page.inner_text("#resource_type option:checked") == "Participante"
    await page.fill("#resource_id", participant)
    await page.click("button:has-text('Consultar')")
    audit = page.locator("table:has(caption:text-is('Consulta de auditoría'))")
    await audit.wait_for()
    registered = audit.locator("data[value='participant.register']")
    assert await registered.all_inner_texts() == ["Persona registrada"]  # the code, labelled
    assert "participant.register" not in await audit.inner_text()
    cell = "el => getComputedStyle(el.closest('td'), '::before').content"
    assert await registered.evaluate(cell) == '"Acción"'  # the column named beside it at 390 px
    purpose = audit.locator("td[data-label='Finalidad']").first  # none: no name without a value
    assert await purpose.inner_text() == "" and not await purpose.is_visible()
    await _look(page, "audit")


async def test_the_m_and_e_officer_downloads_the_donor_exports(
    system: WebSystem, browser: Browser
) -> None:
    page = await (await _context(browser, DESKTOP)).new_page()
    await system.sign_in(page, "mye.oficial", "/tablero")
    await page.wait_for_selector('tr[data-indicator="OE2.7"]')
    files = {}
    for link in ("CSV", "Excel"):
        async with page.expect_download() as downloading:
            await page.click(f"a:text-is('{link}')")
        download = await downloading.value
        path = await download.path()
        files[link] = (download.suggested_filename, path.read_bytes())
    name, csv = files["CSV"]
    assert name.endswith(".csv") and b"OE2.7" in csv
    name, xlsx = files["Excel"]
    assert name.endswith(".xlsx") and xlsx[:2] == b"PK"  # a workbook (a zip), not an error page


async def test_an_administrator_imports_a_directory_and_sets_a_budget(
    system: WebSystem, browser: Browser, tmp_path: Path
) -> None:
    csv = tmp_path / "farmacias.csv"
    csv.write_text(
        "name,region,kind,services\n"
        "Farmacia Prueba Importada (muestra),tumbes,pharmacy,medicines\n"
        "Botica Sin Servicios (muestra),tumbes,pharmacy,\n",
        encoding="utf-8",
    )
    page = await (await _context(browser, PHONE)).new_page()
    await system.sign_in(page, "admin.pana", "/admin")
    await page.select_option("#kind", "providers")
    await page.set_input_files("#file", csv)
    await page.click("button:has-text('Importar')")
    report = await page.locator("[role=status] li").all_inner_texts()
    assert report[0] == "línea 2: agregado Farmacia Prueba Importada (muestra)"
    assert report[1].startswith("línea 3: rechazado")
    await _look(page, "admin-imported")

    await page.select_option("#region", "tumbes")
    await page.fill("#period_start", "01/01/2027")
    await page.fill("#period_end", "31/12/2027")
    await page.fill("#budget-amount", "mucho")
    await page.click("button:has-text('Guardar presupuesto')")
    assert "Escriba el monto con números" in await page.inner_text("main")
    await page.fill("#period_end", "12/31/2027")  # month first: refused, in Spanish
    await page.fill("#budget-amount", "12.500,50")
    await page.click("button:has-text('Guardar presupuesto')")
    assert "Hasta: «12/31/2027» no es una fecha" in await page.inner_text("main")
    await _look(page, "admin-budget-refused")
    await page.select_option("#region", "tumbes")
    await page.fill("#period_start", "01/01/2027")
    await page.fill("#period_end", "31/12/2027")
    await page.fill("#budget-amount", "12.500,50")  # as the pages write money
    await page.click("button:has-text('Guardar presupuesto')")
    assert "Presupuesto guardado." in await page.inner_text("main")

    providers = (await system.vouchers.client("administrator").get("/providers")).json()
    imported = [p for p in providers if p["region"] == "tumbes"]
    assert [p["name"] for p in imported] == ["Farmacia Prueba Importada (muestra)"]
    pool = system.vouchers.app.state.pool
    budget = await pool.fetchval(
        "SELECT amount FROM budgets WHERE region = 'tumbes' AND period_start = '2027-01-01'"
    )
    assert str(budget) == "12500.50"
