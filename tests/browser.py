"""Browser tests: a live server in a thread and Chromium driven by Playwright.

Debian's Chromium is used (``/usr/bin/chromium``): Playwright's own browser download does not work
here, so pytest-playwright's fixtures are not used; the sync API is driven directly.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from challenge.config import PROJECT_ROOT
from challenge.extensions import db
from challenge.notifications.models import OutboxMessage
from tests.conftest import free_port, make_app
from tests.conftest import test_env as environment

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class LiveServer:
    """The site served over HTTP on loopback, and the environment its worker needs."""

    url: str
    app: Flask
    instance: Path
    env: dict[str, str]


@pytest.fixture
def live_server(instance: Path, sqlite_template: Path) -> Iterator[LiveServer]:
    shutil.copy(sqlite_template, instance / "challenge.sqlite3")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = environment(instance, PUBLIC_URL=url)
    app = make_app(instance, PUBLIC_URL=url)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=url, app=app, instance=instance, env=env)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    from playwright.sync_api import Error, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make system-deps)")
    playwright = sync_playwright().start()
    try:
        try:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except Error as error:
            pytest.fail(f"Chromium does not start: {error}")
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def browser_page(chromium) -> Iterator[object]:
    """A fresh page (its own cookies) in French, as most visitors have."""
    context = chromium.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def browser_sign_in(live_server: LiveServer) -> Callable[[object, str], None]:
    """``browser_sign_in(page, email)``: the real sign-in pages in ``page``; the link is read from
    the outbox (no worker needed), then confirmed."""
    from playwright.sync_api import expect

    def sign_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
        page.goto(live_server.url + "/connexion")
        page.get_by_label("Adresse électronique professionnelle").fill(email)
        page.get_by_role("button", name="Recevoir un lien de connexion").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
        with live_server.app.app_context():
            body = db.session.scalars(
                select(OutboxMessage.body_text)
                .where(OutboxMessage.to_address == email)
                .order_by(OutboxMessage.id.desc())
            ).first()
            db.session.remove()
        path = re.search(r"https?://[^/\s]+(/connexion/lien/\S+)", body).group(1)
        page.goto(live_server.url + path)
        page.get_by_role("button", name="Me connecter").click()
        expect(page.get_by_text("Vous êtes connecté.")).to_be_visible()

    return sign_in


@pytest.fixture
def axe() -> Callable[[object], list[dict]]:
    """``axe(page)``: run axe-core on the page; return the serious and critical violations."""

    def run(page) -> list[dict]:  # type: ignore[no-untyped-def]
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("async () => await axe.run(document)")
        serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        for violation in serious:
            print(
                json.dumps(
                    {
                        "page": page.url,
                        "id": violation["id"],
                        "impact": violation["impact"],
                        "help": violation["help"],
                        "nodes": [n["target"] for n in violation["nodes"]][:10],
                    },
                    ensure_ascii=False,
                )
            )
        return serious

    return run
