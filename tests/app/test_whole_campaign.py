"""One whole campaign on PostgreSQL, with a real Celery worker and a real SMTP server.

Opening, submissions, the deadline passed by beat's task (``worker.tasks_campaigns.advance_
campaigns``, sent through the broker and run by the worker), automatic assignment, written
reviews, the shortlist, pitch slots and convocations (with their calendar invitation, answered
through the e-mailed link), pitch scoring, laureates, then the result e-mails: sent twice,
received once each.

Every step goes through the domain's service (or its page where a person would click); the only
shortcut is the clock: the deadline is moved into the past instead of waiting for it.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import date, timedelta
from datetime import time as dt_time
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from icalendar import Calendar
from sqlalchemy import func, select

from challenge.access.jury import visible_proposal_ids_for_juror
from challenge.access.outcomes import outcome_for_agent
from challenge.accounts.models import Role, User
from challenge.campaigns.lifecycle import Dates
from challenge.campaigns.models import Campaign, Criterion
from challenge.campaigns.service.creation import NewCampaign, create_campaign
from challenge.campaigns.service.members import invite_members
from challenge.campaigns.service.settings import Settings, update_settings
from challenge.campaigns.service.transitions import transition
from challenge.extensions import db
from challenge.jury.models import Review
from challenge.jury.queries.ranking_feed import campaign_ranking
from challenge.jury.service.assignments import run_assignment
from challenge.jury.service.reviews import ReviewInput, save_review
from challenge.jury.service.shortlist import ShortlistChoice, decide_shortlist
from challenge.notifications.models import OutboxMessage
from challenge.proposals.fields import ProposalInput
from challenge.proposals.models import Proposal
from challenge.proposals.service.coauthors import invite_coauthor
from challenge.proposals.service.drafting import create_draft
from challenge.results.models import PitchSlot, ResultDecision
from challenge.results.queries.delivery import delivery_page
from challenge.results.service.convocations import send_convocations
from challenge.results.service.laureates import record_results
from challenge.results.service.messages import send_results
from challenge.results.service.pitch_scoring import PitchScoreInput, save_pitch_score
from challenge.results.service.pitch_slots import fill_slots, generate_slots
from challenge.results.service.slot_input import GenerateInput
from challenge.timeutils import utcnow
from tests.conftest import IsolatedClient, csrf_token_in, message_id_of, wait_until
from tests.conftest import test_env as environment

pytestmark = [pytest.mark.postgres, pytest.mark.worker]

AGENTS = [f"agent{i}@francetravail.fr" for i in range(6)]
COAUTHOR = "coautrice@francetravail.fr"
JURORS = [f"jure{i}@jury.gouv.fr" for i in range(3)]
ORGANISER = "organisatrice@francetravail.fr"


def reload(model, ident):  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.get(model, ident)


def user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def received(mailbox, predicate) -> list[EmailMessage]:  # type: ignore[no-untyped-def]
    return [m for m in list(mailbox.messages) if predicate(m)]


def test_whole_campaign(
    pg_app: Flask, pg_migrated: str, instance: Path, smtp_server, sign_in, start_worker
) -> None:
    app = pg_app
    app.test_client_class = IsolatedClient
    worker = start_worker(
        environment(
            instance,
            DATABASE_URL=pg_migrated,
            SMTP_URL=smtp_server.url,
            OUTBOX_RETRY_BASE_SECONDS="1",
        )
    )
    celery = app.extensions["celery"]
    ctx = app.test_request_context("/")  # the services speak French (Flask-Babel)
    ctx.push()
    try:
        _run(app, smtp_server, sign_in, celery)
    except Exception:
        print(worker.output()[-5000:])
        raise
    finally:
        ctx.pop()


def _run(app: Flask, mailbox, sign_in, celery) -> None:  # type: ignore[no-untyped-def]
    # ------------------------------------------------------------ set-up and opening --------
    admin = User(email="admin@beta.gouv.fr", first_name="Ada", last_name="Admin", is_admin=True)
    db.session.add(admin)
    db.session.commit()
    campaign = create_campaign(
        NewCampaign(
            title="Y a-t-il un intrapreneur parmi nous ? 2026",
            administration="France Travail",
            organiser_emails=ORGANISER,
            slug="intrapreneurs-2026",
        ),
        admin,
    )
    campaign_id = campaign.id
    organiser_client = app.test_client()
    sign_in(organiser_client, ORGANISER)
    organiser = user(ORGANISER)
    now = utcnow()
    campaign = reload(Campaign, campaign_id)
    update_settings(
        campaign,
        Settings(
            title=campaign.title,
            administration="France Travail",
            call_text="Quel irritant voulez-vous supprimer ?",
            allowed_domains="francetravail.fr",
            dates=Dates(
                deadline_at=now + timedelta(hours=2),
                review_ends_at=now + timedelta(days=10),
                pitch_at=now + timedelta(days=20),
                results_at=now + timedelta(days=30),
            ),
        ),
        organiser,
    )
    invite_members(reload(Campaign, campaign_id), ", ".join(JURORS), Role.JUROR, organiser)
    assert transition(reload(Campaign, campaign_id), "open", organiser)
    assert reload(Campaign, campaign_id).status == "open"

    # ------------------------------------------------------------ submissions ---------------
    for index, email in enumerate(AGENTS):
        client = app.test_client()
        sign_in(client, email)
        agent = user(email)
        agent.first_name, agent.last_name = f"Prénom{index}", f"Nom{index}"
        db.session.commit()
        result = create_draft(
            reload(Campaign, campaign_id),
            agent,
            ProposalInput(
                title=f"Proposition {index}",
                irritant=f"Irritant {index} : des heures perdues chaque semaine.",
                solution=f"Solution {index}",
                impact=f"Impact {index}",
                administration="France Travail",
                commitment_released=True,
                commitment_manager_informed=True,
            ),
            submit=True,
        )
        assert result.proposal.status == "submitted", result
        if index == 0:
            invite_coauthor(result.proposal.id, agent, COAUTHOR)
    ids = list(
        db.session.scalars(
            select(Proposal.id).where(Proposal.campaign_id == campaign_id).order_by(Proposal.id)
        )
    )
    assert len(ids) == 6

    # ------------------------------------------------------------ the deadline, by beat -----
    campaign = reload(Campaign, campaign_id)
    campaign.deadline_at = utcnow() - timedelta(minutes=1)  # time passes
    db.session.commit()
    moved = celery.send_task("worker.tasks_campaigns.advance_campaigns").get(timeout=60)
    assert [campaign_id, "open", "review"] in moved
    assert reload(Campaign, campaign_id).status == "review"

    # ------------------------------------------------------------ assignment and reviews ----
    for email in JURORS:
        sign_in(app.test_client(), email)
    run = run_assignment(organiser, campaign_id)
    assert run is not None
    review_grid = list(
        db.session.scalars(
            select(Criterion).where(
                Criterion.campaign_id == campaign_id, Criterion.grid == "review"
            )
        )
    )
    for juror_email in JURORS:
        juror = user(juror_email)
        visible = visible_proposal_ids_for_juror(campaign_id, juror.id)
        assert visible == set(ids), "three jurors, three reviews per proposal"
        for proposal_id in visible:
            level = max(0, 4 - ids.index(proposal_id))  # Proposition 0 is the best
            save_review(
                juror,
                campaign_id,
                proposal_id,
                ReviewInput(
                    scores={c.id: min(c.scale_max, level) for c in review_grid},
                    comment_for_jury="Solide",
                    message_for_agent=f"Le jury a aimé la proposition {ids.index(proposal_id)}"
                    if juror_email == JURORS[0]
                    else "",
                ),
                submit=True,
            )
    assert db.session.scalar(select(func.count(Review.id)).where(Review.phase == "written")) == 18

    # ------------------------------------------------------------ shortlist -----------------
    assert transition(reload(Campaign, campaign_id), "shortlist", organiser)
    ranking = campaign_ranking(campaign_id, "written", "raw")
    top = [row.proposal_id for row in ranking[:3]]
    assert top == ids[:3]
    decide_shortlist(
        organiser,
        campaign_id,
        [ShortlistChoice(pid, "Au pitch") for pid in top],
        selected=True,
    )
    assert transition(reload(Campaign, campaign_id), "pitch", organiser)

    # ------------------------------------------------------------ pitch slots, convocations -
    pitch_day: date = (utcnow() + timedelta(days=20)).date()
    assert (
        generate_slots(
            organiser,
            campaign_id,
            GenerateInput(
                day=pitch_day,
                start=dt_time(9, 30),
                count=3,
                duration=15,
                gap=5,
                location="Salle Gambetta, Paris 20e",
                video_link="https://webinaire.numerique.gouv.fr/jury-2026",
            ),
        )
        == 3
    )
    fill_slots(organiser, campaign_id)
    slots = db.session.scalars(
        select(PitchSlot).where(PitchSlot.campaign_id == campaign_id).order_by(PitchSlot.starts_at)
    ).all()
    assert [s.proposal_id for s in slots] == top
    assert send_convocations(organiser, campaign_id) == 4  # three submitters, one co-author

    def convocations() -> list[EmailMessage]:
        return received(mailbox, lambda m: "convocation au pitch" in str(m["Subject"]))

    wait_until(lambda: len(convocations()) == 4, timeout=60, message="4 convocations")
    to_first = next(m for m in convocations() if AGENTS[0] in str(m["To"]))
    ics_part = next(
        p for p in to_first.iter_attachments() if p.get_filename() == "convocation-pitch.ics"
    )
    event = Calendar.from_ical(ics_part.get_content()).walk("VEVENT")[0]
    assert event.decoded("DTSTART").replace(tzinfo=None) == slots[0].starts_at
    assert str(event["LOCATION"]) == "Salle Gambetta, Paris 20e"
    link = re.search(
        r"http://localhost(/pitch/reponse/\S+)", to_first.get_body(("plain",)).get_content()
    ).group(1)
    agent_client = app.test_client()
    page = agent_client.get(link)
    assert page.status_code == 200
    response = agent_client.post(
        link, data={"csrf_token": csrf_token_in(page.get_data(as_text=True)), "choice": "confirm"}
    )
    assert response.status_code == 302
    assert reload(PitchSlot, slots[0].id).confirmation == "confirmed"

    # ------------------------------------------------------------ pitch scoring -------------
    pitch_grid = list(
        db.session.scalars(
            select(Criterion).where(Criterion.campaign_id == campaign_id, Criterion.grid == "pitch")
        )
    )
    for juror_email in JURORS:
        juror = user(juror_email)
        for rank, proposal_id in enumerate(top):
            pitch_level = {0: 3, 1: 4, 2: 1}[rank]  # Proposition 1 wins the pitch
            save_pitch_score(
                juror,
                campaign_id,
                proposal_id,
                PitchScoreInput(scores={c.id: pitch_level for c in pitch_grid}),
            )
    pitch_ranking = campaign_ranking(campaign_id, "pitch", "raw")
    assert [r.proposal_id for r in pitch_ranking[:3]] == [top[1], top[0], top[2]]

    # ------------------------------------------------------------ laureates and results -----
    summary = record_results(
        organiser,
        campaign_id,
        {top[1]: "laureate", top[0]: "mention", top[2]: "not_retained"},
    )
    assert (
        summary.laureates,
        summary.mentions,
        summary.shortlisted_not_retained,
        summary.not_retained,
    ) == (1, 1, 1, 3)
    assert transition(reload(Campaign, campaign_id), "results", organiser)
    assert db.session.scalar(select(func.count(ResultDecision.id))) == 6

    first = send_results(organiser, campaign_id)
    second = send_results(organiser, campaign_id)
    assert (first.queued, second.queued, second.already) == (7, 0, 7)

    def result_mails() -> list[EmailMessage]:
        return received(mailbox, lambda m: "result-message" in str(message_id_of(m["Message-ID"])))

    wait_until(lambda: len(result_mails()) >= 7, timeout=60, message="7 result e-mails")
    # Give a duplicate every chance to arrive: a sweep runs, then the outbox is idle.
    celery.send_task("worker.tasks.sweep_outbox").get(timeout=30)
    wait_until(
        lambda: (
            db.session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.status != "sent")
            )
            == 0
        ),
        timeout=60,
        message="the outbox is empty",
    )
    time.sleep(1)
    mails = result_mails()
    recipients = Counter(str(m["To"]) for m in mails)
    assert recipients == Counter(AGENTS + [COAUTHOR]), "each person received one result e-mail"
    assert len({message_id_of(m["Message-ID"]) for m in mails}) == 7
    by_to = {str(m["To"]): m for m in mails}
    laureate_text = by_to[AGENTS[1]].get_body(("plain",)).get_content()
    assert "est lauréate" in str(by_to[AGENTS[1]]["Subject"])
    assert "Bonjour Prénom1," in laureate_text
    assert "« Le jury a aimé la proposition 1 »" in laureate_text
    assert "/publication-du-nom" in laureate_text
    assert "mention du jury" in str(by_to[AGENTS[0]]["Subject"])
    assert "Bonjour," in by_to[COAUTHOR].get_body(("plain",)).get_content()
    assert "Merci d’être venu présenter" in by_to[AGENTS[2]].get_body(("plain",)).get_content()
    assert "n’a pas été retenue" in by_to[AGENTS[5]].get_body(("plain",)).get_content()

    # ------------------------------------------------------------ what people read after ----
    public = app.test_client().get("/campagnes/intrapreneurs-2026/laureats")
    assert public.status_code == 200
    assert "Proposition 1" in public.get_data(as_text=True)
    outcomes = outcome_for_agent(ids)
    assert outcomes[top[1]].outcome == "laureate"
    assert outcomes[ids[5]].status == "not_retained"
    delivery = delivery_page(organiser, campaign_id)
    assert delivery.counts == {"sent": 7}
