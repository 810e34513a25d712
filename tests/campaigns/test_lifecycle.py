"""The lifecycle: moves by organisers, automatic steps by beat, each made once only.

On SQLite the task and the service are called directly; on PostgreSQL two transactions race for
the same deadline and only one moves the campaign, audits it and queues its messages.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from challenge.access.proposals import accepts_submissions
from challenge.accounts.models import Role, User
from challenge.audit.models import AuditEvent
from challenge.campaigns.models import Campaign, Criterion
from challenge.campaigns.service.transitions import (
    TransitionBlocked,
    advance_due_campaigns,
    transition,
)
from challenge.extensions import db
from challenge.jury.models import Review
from challenge.notifications.models import OutboxMessage
from challenge.proposals.models import Proposal
from challenge.timeutils import utcnow
from tests.campaigns.builders import (
    add_member,
    login,
    make_campaign,
    make_user,
    post,
    snapshot,
)


@pytest.fixture
def organiser(app: Flask) -> User:
    return make_user("orga@francetravail.fr")


def dashboard_url(campaign: Campaign) -> str:
    return f"/organisation/campagnes/{campaign.id}"


def status_events(campaign_id: int) -> list[AuditEvent]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.campaign_id == campaign_id,
                AuditEvent.action == "campaign.status_changed",
            )
            .order_by(AuditEvent.id)
        )
    )


def outbox_count(kind: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == kind)
    )


def status_of(campaign_id: int) -> str:
    db.session.rollback()
    return db.session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))


# ---------------------------------------------------------------- by organisers --------------


def test_an_organiser_opens_a_ready_campaign_from_the_dashboard(
    client: FlaskClient, organiser: User
):
    campaign = make_campaign("Prête", opens_at=utcnow() + timedelta(days=3))
    add_member(campaign, organiser, Role.ORGANISER)
    login(client, organiser)
    page = client.get(dashboard_url(campaign)).get_data(as_text=True)
    assert "Ouvrir la campagne" in page and 'data-testid="next-step"' in page
    response = post(
        client,
        dashboard_url(campaign) + "/etape",
        {"source": "draft", "target": "open"},
        follow_redirects=True,
    )
    assert "passée à l’étape « Ouvert »" in response.get_data(as_text=True)
    db.session.refresh(campaign)
    assert campaign.status == "open"
    assert abs((campaign.opens_at - utcnow()).total_seconds()) < 60  # opened now, not in 3 days
    [event] = status_events(campaign.id)
    assert event.actor_id == organiser.id
    assert event.details["changes"]["status"] == ["draft", "open"]
    assert "opens_at" in event.details["changes"]
    assert event.details["automatic"] is False


def test_a_double_click_moves_the_campaign_once(client: FlaskClient, organiser: User):
    campaign = make_campaign("Double clic", status="open")
    add_member(campaign, organiser, Role.ORGANISER)
    add_member(campaign, make_user("jure@beta.gouv.fr"), Role.JUROR)
    login(client, organiser)
    first = post(client, dashboard_url(campaign) + "/etape", {"source": "open", "target": "review"})
    second = post(
        client,
        dashboard_url(campaign) + "/etape",
        {"source": "open", "target": "review"},
        follow_redirects=True,
    )
    assert first.status_code == 302
    assert "Rien n’a changé" in second.get_data(as_text=True)
    assert status_of(campaign.id) == "review"
    assert len(status_events(campaign.id)) == 1
    assert outbox_count("campaign_review_started") == 1


def test_a_campaign_that_is_not_ready_does_not_open(client: FlaskClient, organiser: User):
    campaign = make_campaign("Pas prête", ready=False, grids=False)
    add_member(campaign, organiser, Role.ORGANISER)
    login(client, organiser)
    page = client.get(dashboard_url(campaign)).get_data(as_text=True)
    assert "Fixez la date limite de dépôt" in page and "disabled" in page
    before = snapshot()
    response = post(
        client,
        dashboard_url(campaign) + "/etape",
        {"source": "draft", "target": "open"},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "Fixez la date limite de dépôt." in text
    assert "au moins un domaine" in text
    assert "grille d’évaluation écrite doit compter au moins un critère" in text
    assert snapshot() == before


@pytest.mark.parametrize(
    ("source", "target"), [("draft", "review"), ("draft", "archived"), ("draft", "nonsense")]
)
def test_steps_cannot_be_skipped(client: FlaskClient, organiser: User, source: str, target: str):
    campaign = make_campaign("Sauts")
    add_member(campaign, organiser, Role.ORGANISER)
    login(client, organiser)
    before = snapshot()
    response = post(
        client,
        dashboard_url(campaign) + "/etape",
        {"source": source, "target": target},
        follow_redirects=True,
    )
    assert "n’est pas possible" in response.get_data(as_text=True)
    assert snapshot() == before


def test_the_whole_lifecycle_up_to_the_archive(client: FlaskClient, organiser: User):
    campaign = make_campaign("Cycle complet", status="open")
    add_member(campaign, organiser, Role.ORGANISER)
    login(client, organiser)
    for source, target in (
        ("open", "review"),
        ("review", "shortlist"),
        ("shortlist", "pitch"),
        ("pitch", "results"),
        ("results", "archived"),
    ):
        post(client, dashboard_url(campaign) + "/etape", {"source": source, "target": target})
        assert status_of(campaign.id) == target
    assert [e.details["changes"]["status"][1] for e in status_events(campaign.id)] == [
        "review",
        "shortlist",
        "pitch",
        "results",
        "archived",
    ]
    page = client.get(dashboard_url(campaign)).get_data(as_text=True)
    assert "archivée" in page and 'name="target"' not in page


def test_submissions_reopen_only_until_a_review_starts(client: FlaskClient, organiser: User):
    campaign = make_campaign("Réouverture", status="review")
    add_member(campaign, organiser, Role.ORGANISER)
    login(client, organiser)
    assert (
        post(
            client, dashboard_url(campaign) + "/etape", {"source": "review", "target": "open"}
        ).status_code
        == 302
    )
    assert status_of(campaign.id) == "open"
    campaign = db.session.get(Campaign, campaign.id)
    assert transition(campaign, "review", organiser) is True
    agent = make_user("agent@francetravail.fr")
    proposal = Proposal(campaign_id=campaign.id, submitter_id=agent.id, status="submitted")
    db.session.add(proposal)
    db.session.flush()
    db.session.add(Review(campaign_id=campaign.id, proposal_id=proposal.id, juror_id=organiser.id))
    db.session.commit()
    with pytest.raises(TransitionBlocked) as refused:
        transition(db.session.get(Campaign, campaign.id), "open", organiser)
    assert "ont commencé à évaluer" in refused.value.messages[0]


def test_the_pitch_needs_a_pitch_grid(organiser: User):
    campaign = make_campaign("Sans grille de pitch", status="shortlist")
    db.session.execute(db.delete(Criterion).where(Criterion.grid == "pitch"))
    db.session.commit()
    with pytest.raises(TransitionBlocked):
        transition(campaign, "pitch", make_user("admin@demo.gouv.fr", admin=True))
    assert status_of(campaign.id) == "shortlist"


def test_accepts_submissions_follows_the_status_and_the_deadline(app: Flask):
    campaign = make_campaign("Dépôts", status="open")
    assert accepts_submissions(campaign)
    assert not accepts_submissions(campaign, campaign.deadline_at)
    campaign.status = "draft"
    assert not accepts_submissions(campaign)


# ---------------------------------------------------------------- by beat --------------------


def test_beat_moves_a_campaign_to_review_at_its_deadline_once(app: Flask, organiser: User):
    from worker.tasks_campaigns import advance_campaigns

    campaign = make_campaign("Échéance", status="open")
    add_member(campaign, organiser, Role.ORGANISER)
    for n in range(2):
        add_member(campaign, make_user(f"jure{n}@beta.gouv.fr"), Role.JUROR)
    assert advance_campaigns() == []  # the deadline is in 30 days
    assert status_of(campaign.id) == "open"

    after_deadline = campaign.deadline_at + timedelta(seconds=1)
    assert advance_due_campaigns(after_deadline) == [(campaign.id, "open", "review")]
    assert advance_due_campaigns(after_deadline) == []  # a second beat: nothing
    assert status_of(campaign.id) == "review"
    [event] = status_events(campaign.id)
    assert event.actor_id is None and event.actor_label == "system"
    assert event.details == {"changes": {"status": ["open", "review"]}, "automatic": True}
    assert outbox_count("campaign_review_started") == 2
    assert outbox_count("campaign_status_changed") == 1  # the organiser is told


def test_the_task_wrapper_runs_the_automatic_steps(app: Flask):
    from worker.tasks_campaigns import advance_campaigns

    campaign = make_campaign("Échue", status="open", deadline_at=utcnow() - timedelta(minutes=1))
    assert advance_campaigns() == [[campaign.id, "open", "review"]]
    assert advance_campaigns() == []
    assert status_of(campaign.id) == "review"


def test_beat_opens_a_ready_draft_at_its_opening_date_but_not_an_unready_one(app: Flask):
    ready = make_campaign("Prête", opens_at=utcnow() - timedelta(minutes=1))
    unready = make_campaign(
        "Incomplète", opens_at=utcnow() - timedelta(minutes=1), allowed_domains=""
    )
    later = make_campaign("Plus tard", opens_at=utcnow() + timedelta(hours=1))
    moved = advance_due_campaigns()
    assert moved == [(ready.id, "draft", "open")]
    assert [status_of(c.id) for c in (ready, unready, later)] == ["open", "draft", "draft"]


def test_beat_never_touches_later_steps(app: Flask):
    past = utcnow() - timedelta(days=1)
    campaigns = [
        make_campaign(
            status,
            status=status,
            deadline_at=past,
            review_ends_at=past,
            pitch_at=past,
            results_at=past,
            opens_at=past - timedelta(days=9),
        )
        for status in ("review", "shortlist", "pitch", "results", "archived")
    ]
    assert advance_due_campaigns() == []
    assert [status_of(c.id) for c in campaigns] == [
        "review",
        "shortlist",
        "pitch",
        "results",
        "archived",
    ]


# ---------------------------------------------------------------- PostgreSQL race ------------


@pytest.mark.postgres
def test_two_concurrent_beats_move_a_campaign_once_on_postgresql(pg_app: Flask):
    """Beat A updates the row and waits before committing; beat B, started meanwhile, blocks on
    the row lock, then finds the status already changed: one move, one audit, one message."""
    from challenge.audit import service as audit

    campaign = make_campaign("Course", status="open")
    add_member(campaign, make_user("jure@beta.gouv.fr"), Role.JUROR)
    campaign_id = campaign.id
    deadline = campaign.deadline_at
    db.session.remove()

    a_updated = threading.Event()
    results: dict[str, object] = {}
    original_record = audit.record

    def slow_record(*args, **kwargs):  # runs in beat A, after its UPDATE, before its COMMIT
        event = original_record(*args, **kwargs)
        if threading.current_thread().name == "beat-a":
            a_updated.set()
            time.sleep(1.0)  # beat B reaches its UPDATE and waits for our row lock
        return event

    def beat(name: str) -> None:
        with pg_app.app_context():
            try:
                if name == "beat-b":
                    a_updated.wait(10)
                started = time.monotonic()
                results[name] = advance_due_campaigns(deadline + timedelta(seconds=5))
                results[name + "-seconds"] = time.monotonic() - started
            except Exception as error:  # surfaced by the assertions below
                results[name] = error
            finally:
                db.session.remove()

    audit.record = slow_record
    try:
        threads = [threading.Thread(target=beat, args=(n,), name=n) for n in ("beat-a", "beat-b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        audit.record = original_record

    assert results["beat-a"] == [(campaign_id, "open", "review")]
    assert results["beat-b"] == []
    assert results["beat-b-seconds"] > 0.5  # B really waited for A's lock
    assert status_of(campaign_id) == "review"
    assert len(status_events(campaign_id)) == 1
    assert outbox_count("campaign_review_started") == 1
    # Running it again later changes nothing either.
    assert advance_due_campaigns(deadline + timedelta(minutes=5)) == []
    assert len(status_events(campaign_id)) == 1
