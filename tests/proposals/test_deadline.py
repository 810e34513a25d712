"""The deadline is the server's: a form opened before and posted after is refused clearly, and
the text is never lost."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from challenge.access.proposals import accepts_submissions
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.notifications.models import OutboxMessage
from challenge.proposals.fields import ProposalInput
from challenge.proposals.models import Proposal, ProposalVersion
from challenge.proposals.refusals import CampaignClosed
from challenge.proposals.service import drafting
from challenge.timeutils import utcnow
from tests.proposals.builders import (  # noqa: F401
    COMPLETE,
    client_for,
    counts,
    csrf,
    in_request,
    make_campaign,
    make_proposal,
    make_user,
    one_user_per_request,
    post_new,
    proposal_row,
    version_on,
)


def pass_the_deadline(campaign: Campaign, status: str = "open") -> None:
    campaign.deadline_at = utcnow() - timedelta(seconds=1)
    campaign.status = status
    db.session.commit()


def test_a_draft_posted_after_the_deadline_is_kept_as_a_draft_and_not_sent(app: Flask) -> None:
    campaign = make_campaign()
    agent = make_user()
    proposal = make_proposal(agent, campaign)
    client = client_for(app, agent)
    opened = version_on(client, proposal.id)  # the form is opened before the deadline...
    token = csrf(client)
    pass_the_deadline(campaign)  # ... and sent after it
    response = client.post(
        f"/propositions/{proposal.id}/modifier",
        data={"csrf_token": token, "version": opened, "action": "submit", **COMPLETE},
    )
    assert response.status_code == 302
    follow = client.get(response.location).get_data(as_text=True)
    assert "La date limite de dépôt est passée" in follow
    assert "Votre texte est conservé comme brouillon" in follow
    saved = proposal_row(proposal.id)
    assert saved.status == "draft" and saved.submitted_at is None
    assert saved.irritant == COMPLETE["irritant"]  # the text is kept
    assert db.session.scalar(select(OutboxMessage)) is None  # no receipt: nothing was sent


def test_a_sent_proposal_edited_after_the_deadline_stays_as_sent_and_the_text_is_kept(
    app: Flask,
) -> None:
    campaign = make_campaign()
    agent = make_user()
    proposal = make_proposal(agent, campaign, status="submitted", title="Version envoyée")
    client = client_for(app, agent)
    opened = version_on(client, proposal.id)
    token = csrf(client)
    pass_the_deadline(campaign)
    late_text = "Une idée arrivée trop tard, mais qu’il ne faut pas perdre."
    response = client.post(
        f"/propositions/{proposal.id}/modifier",
        data={"csrf_token": token, "version": opened, **{**COMPLETE, "solution": late_text}},
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/propositions/{proposal.id}")
    after = proposal_row(proposal.id)
    assert after.title == "Version envoyée" and after.solution == "Une solution"
    assert str(after.version) == opened  # the jury's version did not move
    late = db.session.scalar(select(ProposalVersion).where(ProposalVersion.event == "late_copy"))
    assert late.snapshot["solution"] == late_text and "solution" in late.changed_fields
    page = client.get(response.location).get_data(as_text=True)
    assert "La date limite de dépôt est passée" in page
    assert late_text in page  # shown back on the proposal's page
    assert f"/propositions/{proposal.id}/modifier" not in page  # no more "Modifier" button


def test_a_new_proposal_posted_after_the_deadline_becomes_a_draft(app: Flask) -> None:
    campaign = make_campaign()
    client = client_for(app, make_user())
    client.get("/campagnes/appel-2026/proposer")
    token = csrf(client)
    pass_the_deadline(campaign)
    response = client.post(
        "/campagnes/appel-2026/proposer",
        data={"csrf_token": token, "action": "submit", **COMPLETE},
    )
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert proposal.status == "draft" and proposal.title == COMPLETE["title"]
    assert db.session.scalar(select(OutboxMessage)) is None


def test_the_campaign_moved_to_review_by_the_beat_also_closes_submissions(app: Flask) -> None:
    campaign = make_campaign()
    agent = make_user()
    proposal = make_proposal(agent, campaign)
    client = client_for(app, agent)
    opened = version_on(client, proposal.id)
    token = csrf(client)
    pass_the_deadline(campaign, status="review")
    client.post(
        f"/propositions/{proposal.id}/modifier",
        data={"csrf_token": token, "version": opened, "action": "submit", **COMPLETE},
    )
    assert proposal_row(proposal.id).status == "draft"


def test_after_the_deadline_nothing_can_be_sent_withdrawn_or_attached(app: Flask) -> None:
    campaign = make_campaign()
    agent = make_user()
    draft = make_proposal(agent, campaign, title="Brouillon")
    sent = make_proposal(agent, campaign, status="submitted", title="Envoyée")
    client = client_for(app, agent)
    token = csrf(client)
    pass_the_deadline(campaign)
    before = counts()
    pdf = (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "etude.pdf")
    attempts = [
        (f"/propositions/{draft.id}/envoyer", {}),
        (f"/propositions/{sent.id}/retirer", {}),
        (f"/propositions/{sent.id}/coauteurs", {"email": "lea@francetravail.fr"}),
        (f"/propositions/{sent.id}/pieces-jointes", {"file": pdf}),
    ]
    for url, data in attempts:
        response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code == 409, url
        assert "Les dépôts sont fermés" in response.get_data(as_text=True)
    assert counts() == before
    assert proposal_row(sent.id).status == "submitted"
    assert proposal_row(draft.id).status == "draft"
    assert client.get("/campagnes/appel-2026/proposer").status_code == 409
    # The page of a sent proposal no longer offers to edit it.
    response = client.get(f"/propositions/{sent.id}/modifier")
    assert response.status_code == 302 and response.location.endswith(f"/propositions/{sent.id}")


@pytest.mark.usefixtures("in_request")
def test_the_deadline_is_exclusive_to_the_second(app: Flask) -> None:
    campaign = make_campaign()
    now = utcnow()
    campaign.deadline_at = now
    assert not accepts_submissions(campaign, now)
    assert accepts_submissions(campaign, now - timedelta(microseconds=1))
    campaign.status = "review"
    assert not accepts_submissions(campaign, now - timedelta(days=1))


@pytest.mark.usefixtures("in_request")
def test_the_service_refuses_a_late_submission_whatever_the_page_said(app: Flask) -> None:
    campaign = make_campaign()
    agent = make_user()
    proposal = make_proposal(agent, campaign)
    pass_the_deadline(campaign)
    with pytest.raises(CampaignClosed):
        drafting.submit(proposal.id, agent)
    result = drafting.save(
        proposal.id,
        agent,
        ProposalInput(
            title="Titre",
            irritant="i",
            solution="s",
            impact="m",
            administration="FT",
            commitment_released=True,
            commitment_manager_informed=True,
        ),
        proposal.version,
        submit=True,
    )
    assert result.late and not result.submitted
    assert proposal_row(proposal.id).status == "draft"
