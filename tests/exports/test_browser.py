"""In Chromium, with a real worker: an organiser clicks "Exporter", watches the progress bar
fill up and downloads the file."""

from __future__ import annotations

import openpyxl
import pytest
from playwright.sync_api import expect

from challenge.extensions import db
from tests.exports.builders import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.worker]


def test_organiser_exports_and_downloads(
    live_server, browser_page, browser_sign_in, axe, start_worker, tmp_path
) -> None:
    with live_server.app.app_context():
        world = build_world()
        campaign_id, email = world.campaign.id, world.organiser.email
        db.engine.dispose()
    worker = start_worker(live_server.env)
    page = browser_page
    browser_sign_in(page, email)

    page.goto(f"{live_server.url}/organisation/campagnes/{campaign_id}/exports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exporter les données de la campagne")
    assert axe(page) == [], "export page: serious or critical axe-core violations (printed above)"
    page.get_by_text("Excel (XLSX, une feuille par vue)").click()
    page.get_by_role("button", name="Exporter").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Export n°")
    progress = page.get_by_role("progressbar", name="Avancement")
    expect(progress).to_be_visible()
    download_link = page.get_by_test_id("export-download")
    try:
        expect(download_link).to_be_visible(timeout=60_000)  # the page polls; no reload
    except AssertionError:
        print(worker.output())
        raise
    expect(progress).to_have_attribute("value", "100")
    expect(page.get_by_test_id("export-status")).to_have_text("Prêt")
    assert axe(page) == [], "export job page: serious or critical axe-core violations"

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.startswith("appel-exports-export-")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:2] == ["Propositions", "Évaluations"]
    assert workbook["Propositions"].max_row == 1 + 4

    page.get_by_role("link", name="Retour aux exports").click()
    expect(page.get_by_test_id("export-jobs")).to_contain_text("Prêt")
