"""The home page in Chromium: DSFR header and footer, axe-core, keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e


def test_home_header_footer_and_accessibility(live_server, browser_page, axe) -> None:
    page = browser_page
    response = page.goto(live_server.url + "/")
    assert response is not None and response.status == 200
    expect(page).to_have_title("Accueil — Y a-t-il un intrapreneur parmi nous ?")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("data-fr-scheme", "system")

    header = page.get_by_role("banner")
    expect(header.locator(".fr-logo")).to_have_text("RépubliqueFrançaise")
    expect(header.locator(".fr-logo")).to_be_visible()
    expect(header.locator(".fr-header__service-title")).to_have_text(
        "Y a-t-il un intrapreneur parmi nous ?"
    )
    expect(header.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Y a-t-il un intrapreneur parmi nous ?"
    )
    expect(page.get_by_test_id("empty-campaigns")).to_contain_text(
        "Aucun appel n’est ouvert pour le moment"
    )

    footer = page.get_by_role("contentinfo")
    for name, href in [
        ("Accessibilité : non conforme", "/accessibilite"),
        ("Mentions légales", "/mentions-legales"),
        ("Données personnelles", "/donnees-personnelles"),
        ("Gestion des cookies", "/cookies"),
        ("Plan du site", "/plan-du-site"),
    ]:
        link = footer.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", href)

    # The DSFR stylesheet is applied (Marianne font, the header's layout).
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Marianne" in font

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    assert (ARTIFACTS / "home.png").stat().st_size > 10_000

    assert axe(page) == [], "serious or critical axe-core violations (printed above)"


def test_first_tab_reaches_the_skip_link(live_server, browser_page) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({text: document.activeElement.textContent.trim(),"
        " href: document.activeElement.getAttribute('href')})"
    )
    assert focused == {"text": "Contenu", "href": "#contenu"}
    expect(page.get_by_role("link", name="Contenu", exact=True)).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/#contenu")


def test_language_switch_in_the_browser(live_server, browser_page, axe) -> None:
    page = browser_page
    page.goto(live_server.url + "/mentions-legales")
    page.get_by_role("button", name="EN — English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.url + "/mentions-legales")
    expect(page.get_by_role("heading", level=1)).to_have_text("Legal notice")
    page.get_by_role("button", name="FR — Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentions légales")
    assert axe(page) == []
