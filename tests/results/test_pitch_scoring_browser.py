"""In Chromium: on pitch day a juror scores a pitch on a tablet; the organiser's page follows.

The juror uses a 768×1024 touch screen; the organiser keeps the progress page open on a laptop
and sees the count of scores and the ranking change without reloading it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from challenge.extensions import db
from challenge.jury.models import Review
from challenge.results.models import PitchSlot
from challenge.timeutils import utcnow
from tests.results.builders import build_world

pytestmark = pytest.mark.e2e

ARTIFACTS = "test-artifacts"


def seed(app) -> dict[str, object]:
    with app.app_context():
        world = build_world(status="pitch", proposals=4, shortlisted=3, slug="pitch-2026")
        start = utcnow().replace(second=0, microsecond=0) + timedelta(days=1)
        for index, proposal in enumerate(world.shortlist):
            db.session.add(
                PitchSlot(
                    campaign_id=world.campaign.id,
                    proposal_id=proposal.id,
                    starts_at=start + timedelta(minutes=20 * index),
                    duration_minutes=15,
                    location="Salle Gambetta",
                    video_link="",
                    confirmation="confirmed",
                    confirmation_note="",
                )
            )
        db.session.commit()
        data = {
            "campaign_id": world.campaign.id,
            "organiser": world.organiser.email,
            "juror": world.jurors[0].email,
            "juror_id": world.jurors[0].id,
            "first": world.shortlist[0].id,
            "second": world.shortlist[1].id,
            "titles": [p.title for p in world.shortlist],
            "criteria": [(c.id, c.label) for c in world.pitch_grid],
        }
        db.session.remove()
        db.engine.dispose()
        return data


def test_juror_scores_a_pitch_on_a_tablet_and_the_organiser_sees_it_live(
    live_server, browser_sign_in, chromium, axe
) -> None:
    data = seed(live_server.app)
    campaign_id = data["campaign_id"]

    # The organiser opens the progress page on a laptop and leaves it open.
    laptop = chromium.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    laptop.set_default_timeout(15_000)
    organiser = laptop.new_page()
    browser_sign_in(organiser, data["organiser"])
    organiser.goto(f"{live_server.url}/organisation/campagnes/{campaign_id}/pitchs/suivi")
    total = organiser.get_by_test_id("total-scored")
    expect(total).to_have_text("0")
    first_row = organiser.locator(f'[data-progress-row="{data["first"]}"] [data-scored]')
    expect(first_row).to_have_text("0")
    organiser.evaluate("window.__notReloaded = true")

    # The juror, on a tablet.
    tablet = chromium.new_context(
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 768, "height": 1024},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
    )
    tablet.set_default_timeout(15_000)
    juror = tablet.new_page()
    browser_sign_in(juror, data["juror"])
    juror.goto(f"{live_server.url}/jury/campagnes/{campaign_id}/pitchs")
    expect(juror.get_by_test_id("pitch-list")).to_contain_text(data["titles"][0])
    juror.get_by_test_id("next-pitch").tap()
    expect(juror.get_by_role("heading", level=1)).to_have_text(data["titles"][0])
    expect(juror.get_by_test_id("pitch-position")).to_contain_text("Pitch 1 sur 3")

    # Large touch targets: each level is a tile at least 44 px high and wide.
    first_criterion, _label = data["criteria"][0]
    tile = juror.locator(f'label[for="criterion-{first_criterion}-3"]')
    box = tile.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
    assert axe(juror) == []

    levels = {data["criteria"][0][0]: 4, data["criteria"][1][0]: 3}
    for criterion_id, level in levels.items():
        juror.locator(f'label[for="criterion-{criterion_id}-{level}"]').tap()
        expect(juror.locator(f"#criterion-{criterion_id}-{level}")).to_be_checked()
    juror.get_by_label("Message pour l’agent").fill("Pitch clair, bravo.")
    juror.get_by_test_id("save-score").tap()

    # Saved, and the next pitch is already on screen.
    expect(juror.get_by_text(f"Note enregistrée pour « {data['titles'][0]} ».")).to_be_visible()
    expect(juror.get_by_role("heading", level=1)).to_have_text(data["titles"][1])
    juror.screenshot(path=f"{ARTIFACTS}/pitch-scoring-tablet.png", full_page=True)

    # The organiser's page follows without a reload (it polls every few seconds).
    expect(total).to_have_text("1", timeout=20_000)
    expect(first_row).to_have_text("1")
    ranking = organiser.get_by_test_id("pitch-ranking")
    expect(ranking.locator(f'[data-ranking-row="{data["first"]}"] td').first).to_have_text("1")
    expect(ranking).to_contain_text("3.50")
    assert organiser.evaluate("window.__notReloaded === true"), "the page was not reloaded"
    organiser.screenshot(path=f"{ARTIFACTS}/pitch-progress-live.png", full_page=True)

    with live_server.app.app_context():
        review = db.session.scalar(
            select(Review).where(Review.phase == "pitch", Review.juror_id == data["juror_id"])
        )
        assert review is not None and review.proposal_id == data["first"]
        assert sorted(s.score for s in review.scores) == [3.0, 4.0]
        assert review.message_for_agent == "Pitch clair, bravo."
        db.session.remove()
    laptop.close()
    tablet.close()
