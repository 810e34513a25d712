"""The end every write shares: rows, audit events and e-mails commit together, or none of them."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from challenge.audit.models import AuditEvent
from challenge.errors import ConcurrentChange
from challenge.extensions import db
from challenge.notifications.models import OutboxMessage
from challenge.proposals.models import Support
from challenge.unit_of_work import unit_of_work
from tests import factories
from tests.campaigns.builders import make_campaign

LINK = {"link": "http://localhost/connexion/lien/exemple", "minutes": 15}


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(Support.id))) or 0,
        db.session.scalar(select(func.count(AuditEvent.id))) or 0,
        db.session.scalar(select(func.count(OutboxMessage.id))) or 0,
    )


@pytest.fixture
def world(app: Flask):
    campaign = make_campaign(status="open")
    author = factories.make_user("autrice@francetravail.fr")
    agent = factories.make_user("agent@francetravail.fr")
    proposal = factories.make_proposal(campaign, author, "Un irritant")
    db.session.commit()
    return campaign, agent, proposal


def test_the_row_its_audit_event_and_its_mail_commit_together(world) -> None:
    campaign, agent, proposal = world
    before = _counts()
    with unit_of_work(actor=agent, campaign_id=campaign.id) as work:
        support = Support(proposal_id=proposal.id, user_id=agent.id)
        db.session.add(support)
        event = work.audit("proposal.supported", target=support)  # flushed: it has an id
        work.mail("sign_in_link", to=agent.email, context=LINK)
    event_id, agent_id = event.id, agent.id
    db.session.remove()
    assert _counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    saved = db.session.get(AuditEvent, event_id)
    assert saved.target_id is not None
    assert saved.actor_id == agent_id


def test_an_error_in_the_block_writes_nothing_at_all(world) -> None:
    campaign, agent, proposal = world
    before = _counts()
    with pytest.raises(RuntimeError), unit_of_work(actor=agent, campaign_id=campaign.id) as work:
        db.session.add(Support(proposal_id=proposal.id, user_id=agent.id))
        work.audit("proposal.supported", target=proposal)
        work.mail("sign_in_link", to=agent.email, context=LINK)
        raise RuntimeError("a rule failed half-way")
    db.session.remove()
    assert _counts() == before


def test_a_concurrent_change_is_a_409_refusal_and_writes_nothing(world) -> None:
    campaign, agent, proposal = world
    with unit_of_work(actor=agent, campaign_id=campaign.id):
        db.session.add(Support(proposal_id=proposal.id, user_id=agent.id))
    before = _counts()
    with (
        pytest.raises(ConcurrentChange) as caught,
        unit_of_work(actor=agent, campaign_id=campaign.id) as work,
    ):
        # The same support again: what a double click or a second tab does.
        db.session.add(Support(proposal_id=proposal.id, user_id=agent.id))
        work.audit("proposal.supported", target=proposal)
        work.mail("sign_in_link", to=agent.email, context=LINK)
    assert caught.value.status == 409
    assert "en même temps" in str(caught.value)
    db.session.remove()
    assert _counts() == before
