"""Issue 26's proof, in Debian's chromium: people sign in through Keycloak's login page and work
through the pages; the API confirms what the pages did.

A caseworker registers a person, records consent, opens a GBV case, delivers psychological
first aid and refers to a CEM; the CEM officer accepts in the inbox; the caseworker issues a
voucher; the clinic redeems it on a phone-sized window while the answer is lost, the network
drops and the page is reloaded, and it is redeemed exactly once; the M&E officer sees the
figures move. axe-core checks every page (no serious or critical violation), every page is
photographed at phone and desktop width, and the first view's time is written down.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Route,
    ViewportSize,
)

from tests.e2e.web.conftest import ARTIFACTS, WebSystem

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
PHONE = ViewportSize(width=360, height=740)
DESKTOP = ViewportSize(width=1280, height=900)
_axe = Axe()


class Pages:
    """Every page seen: photographed at both widths and checked by axe-core.

    `Pages.prove_axe_runs` first shows the check fails on a page built to fail it: a check that
    found nothing because it never ran would pass every page.
    """

    @staticmethod
    async def prove_axe_runs(browser: Browser) -> None:
        context = await browser.new_context()
        page = await context.new_page()
        await page.set_content("<html><body><input type=text><img src=x.png></body></html>")
        found = {v["id"] for v in (await _axe.run(page)).response["violations"]
                 if v.get("impact") in ("serious", "critical")}  # fmt: skip
        await context.close()
        assert {"label", "image-alt"} <= found, found

    def __init__(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.checked: dict[str, int] = {}

    async def check(self, page: Page, name: str) -> None:
        results = await _axe.run(page)
        serious = [v for v in results.response["violations"]
                   if v.get("impact") in ("serious", "critical")]  # fmt: skip
        assert not serious, f"{name}: " + json.dumps(
            [{"id": v["id"], "nodes": [n["html"][:120] for n in v["nodes"]]} for v in serious]
        )
        self.checked[name] = len(results.response["violations"])
        size = page.viewport_size
        for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            await page.set_viewport_size(viewport)
            await page.screenshot(path=ARTIFACTS / f"{name}-{label}.png", full_page=True)
        if size:
            await page.set_viewport_size(size)


async def _context(browser: Browser, viewport: ViewportSize) -> BrowserContext:
    return await browser.new_context(
        viewport=viewport,
        locale="es-PE",
        is_mobile=viewport == PHONE,
        has_touch=viewport == PHONE,
    )


async def _figure(page: Page, indicator: str) -> int:
    return int(await page.inner_text(f'tr[data-indicator="{indicator}"] td.value'))


async def _until_figure_above(page: Page, indicator: str, floor: int) -> int:
    """Reload the dashboard until the figure passes `floor` (bounded: 300 loads, 60 s)."""
    deadline = time.monotonic() + 60
    for _ in range(300):
        value = await _figure(page, indicator)
        if value > floor or time.monotonic() > deadline:
            return value
        await page.reload()
    return await _figure(page, indicator)


async def test_a_gbv_case_from_registration_to_redemption_on_the_dashboard(
    system: WebSystem, browser: Browser
) -> None:
    await Pages.prove_axe_runs(browser)
    pages = Pages()
    timings: dict[str, float] = {}

    # The welcome page, as a cold phone opens it: the first view.
    anonymous = await _context(browser, PHONE)
    first = await anonymous.new_page()
    started = time.perf_counter()
    await first.goto(f"{system.web.url}/", wait_until="load")
    timings["first_view_seconds"] = round(time.perf_counter() - started, 3)
    assert await first.inner_text("h1") == "Bienvenida"  # Spanish by default
    await pages.check(first, "welcome")
    await first.click("text=Iniciar sesión")
    await first.wait_for_selector("#kc-login")  # Keycloak's own login page
    await pages.check(first, "keycloak-login")

    # M&E officer, before: the figures now.
    me_context = await _context(browser, DESKTOP)
    dashboard = await me_context.new_page()
    await system.sign_in(dashboard, "mye.oficial", "/tablero")
    assert "Cifras exactas" in await dashboard.inner_text("#view")
    pap_before = await _figure(dashboard, "OE2.7")
    vouchers_before = await _figure(dashboard, "OE2.2")

    # Caseworker: register, consent, GBV case, PAP, referral to the CEM.
    caseworker = await (await _context(browser, DESKTOP)).new_page()
    await system.sign_in(caseworker, "gestora.lima", "/casos")
    await pages.check(caseworker, "cases")
    await caseworker.click("text=Registrar persona")
    await caseworker.fill("#given_names", "Rosa")
    await caseworker.fill("#family_names", "Ficticia Prueba")
    await caseworker.select_option("#sex", "woman")
    await caseworker.fill("#birth_date", "01/05/1990")  # dd/mm/aaaa, as the page asks
    phone = f"+51 9{uuid.uuid4().int % 10**8:08d}"
    await caseworker.fill("#phone", phone)
    await pages.check(caseworker, "register")
    await caseworker.click("button:has-text('Registrar')")
    await caseworker.wait_for_selector("text=Persona registrada")
    await pages.check(caseworker, "registered")
    await caseworker.click("text=Continuar con el consentimiento")
    participant_id = caseworker.url.rsplit("/", 1)[-1]
    for purpose in ("services", "referral_sharing"):
        await caseworker.check(f"input[name=purposes][value={purpose}]")
    await caseworker.check("input[name=destinations][value=CEM]")
    await caseworker.click("button:has-text('Registrar consentimiento')")
    await caseworker.wait_for_selector("text=Vigente para:")
    await pages.check(caseworker, "person")
    await caseworker.select_option("#case_type", "gbv_protection")
    await caseworker.click("button:has-text('Abrir caso')")
    await caseworker.wait_for_url("**/casos/*")
    case_url = caseworker.url
    await caseworker.select_option("#service_type", "psychological_first_aid")
    await caseworker.click("button:has-text('Registrar servicio')")
    await caseworker.wait_for_selector("text=Servicio registrado.")
    await pages.check(caseworker, "case")
    await caseworker.select_option("#unit_id", system.unit_id)
    await caseworker.click("button:has-text('Elegir')")
    shared = await caseworker.locator("#shared-fields li").all_inner_texts()
    assert shared == ["Grupo de edad", "Teléfono de contacto", "Nombre completo",
                      "Cuándo llamar", "Sexo"]  # fmt: skip  # exactly a CEM's shared minimum
    await pages.check(caseworker, "refer")
    await caseworker.click("button:has-text('Enviar derivación')")
    await caseworker.wait_for_selector("text=Derivación enviada.")

    # The CEM officer accepts it in the unit's inbox.
    cem = await (await _context(browser, PHONE)).new_page()
    await system.sign_in(cem, "cem.lima", "/bandeja")
    await cem.wait_for_selector("text=Atención por VBG")
    await pages.check(cem, "inbox")
    await cem.click("button:has-text('Aceptar')")
    await cem.wait_for_selector("text=Derivación aceptada.")
    await pages.check(cem, "inbox-accepted")

    # The caseworker issues a voucher at the clinic and prints its slip.
    await caseworker.goto(case_url)
    await caseworker.select_option("#provider_id", system.provider_id)
    await caseworker.fill("#amount", "150.00")
    await caseworker.click("button:has-text('Emitir vale')")
    await caseworker.wait_for_url("**/vales/*")
    voucher_id = caseworker.url.rsplit("/", 1)[-1]
    code = (await caseworker.inner_text("#voucher-code")).strip()
    assert await caseworker.locator("#slip svg").count() == 1  # the QR, drawn on the server
    await pages.check(caseworker, "slip")

    # The clinic, on a phone, redeems it; the answer is lost on the way back.
    clinic_context = await _context(browser, PHONE)
    clinic = await clinic_context.new_page()
    await system.sign_in(clinic, "clinica.lima", "/clinica")
    await pages.check(clinic, "clinic")
    await clinic.fill("#code", code)
    await clinic.click("button:has-text('Consultar')")
    assert "S/ 150,00" in await clinic.inner_text("#remaining")
    await pages.check(clinic, "clinic-voucher")
    await clinic.fill("#amount", "80,00")
    receipt = f"B001-{uuid.uuid4().hex[:6]}"
    await clinic.fill("#receipt", receipt)
    delivered: list[int] = []
    lost = asyncio.Event()

    async def answer_lost(route: Route) -> None:
        answer = await route.fetch()  # the service records the redemption...
        delivered.append(answer.status)
        await route.abort("internetdisconnected")  # ...and the page never hears back
        lost.set()

    await clinic.route("**/clinica/canje", answer_lost)
    await clinic.click("button:has-text('Canjear')")
    await clinic.wait_for_selector(".state-pending")
    await asyncio.wait_for(lost.wait(), 30)
    assert delivered == [201]
    await clinic_context.set_offline(True)  # the network drops altogether
    await clinic.wait_for_function(
        "document.getElementById('connection').textContent.includes('Sin conexión')"
    )
    await clinic_context.set_offline(False)
    await clinic.route("**/clinica/canje", lambda route: route.abort("internetdisconnected"))
    await clinic.reload()  # the pending redemption survives a reload
    await clinic.wait_for_selector(".state-pending")
    await pages.check(clinic, "clinic-pending")
    await clinic.unroute("**/clinica/canje")  # the connection is back: sent again, same key
    await clinic.wait_for_selector(".state-redeemed", timeout=30_000)
    assert "canjeado" in await clinic.inner_text("#pending-list")
    await pages.check(clinic, "clinic-redeemed")
    await clinic.goto(f"{system.web.url}/clinica/canjes")
    await pages.check(clinic, "redemptions")

    # Exactly once, as the API sees it.
    provider = system.provider_id
    headers = system.vouchers.keys.headers("clinic", provider_id=provider)
    async with httpx.AsyncClient(base_url=system.vouchers.url, headers=headers) as api:
        today = time.strftime("%Y-%m-%d")
        statement = (await api.get(f"/reconciliation/{provider}",
                                   params={"from": "2020-01-01", "to": today})).json()  # fmt: skip
    lines = [line for line in statement["lines"] if line["voucher_id"] == voucher_id]
    assert [(line["receipt_number"], line["amount"]) for line in lines] == [(receipt, "80.00")]

    # The M&E officer sees both figures move.
    assert await _until_figure_above(dashboard, "OE2.7", pap_before) == pap_before + 1
    assert await _until_figure_above(dashboard, "OE2.2", vouchers_before) == vouchers_before + 1
    await pages.check(dashboard, "dashboard")

    # The donor, signed in, sees the protected view, never the exact one.
    donor = await (await _context(browser, DESKTOP)).new_page()
    await system.sign_in(donor, "donante.lectura", "/tablero")
    assert "Vista protegida" in await donor.inner_text("#view")

    # The administrator's page (directories, budgets, break-glass, audit), in English.
    admin = await (await _context(browser, DESKTOP)).new_page()
    await system.sign_in(admin, "admin.pana", "/admin")
    await admin.goto(f"{system.web.url}/idioma/en?next=/admin")
    assert await admin.inner_text("h1") == "Administration"
    await pages.check(admin, "admin")

    assert participant_id
    report: dict[str, Any] = {**timings, "pages_checked_by_axe": pages.checked}
    (ARTIFACTS / "timings.json").write_text(json.dumps(report, indent=2))
    print(f"\nweb e2e: first view {timings['first_view_seconds']} s; "
          f"artifacts in {ARTIFACTS}")  # fmt: skip
