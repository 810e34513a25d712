"""The shortlist: bulk and single decisions with notes, revisable until the pitch step."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from challenge.audit.models import AuditEvent
from challenge.errors import ConcurrentChange, Refused
from challenge.extensions import db
from challenge.jury.models import ShortlistDecision
from challenge.jury.service.shortlist import ShortlistChoice, decide_shortlist
from challenge.proposals.models import Proposal
from tests.jury.builders import (
    add_role,
    csrf_token,
    make_campaign,
    make_proposal,
    make_user,
    sign_in,
)


@pytest.fixture
def shortlist(app):
    campaign = make_campaign(status="shortlist")
    organiser = make_user("orga@francetravail.fr")
    add_role(campaign, organiser, "organiser")
    agent = make_user("agent@francetravail.fr")
    proposals = [make_proposal(campaign, agent, f"Idée {i}") for i in range(4)]
    withdrawn = make_proposal(campaign, agent, "Retirée", status="withdrawn")
    db.session.commit()
    return campaign, organiser, proposals, withdrawn


def statuses(proposals) -> list[str]:
    db.session.expire_all()
    return [db.session.get(Proposal, p.id).status for p in proposals]


def test_bulk_selection_with_notes_then_revision(client, shortlist):
    campaign, organiser, proposals, _withdrawn = shortlist
    sign_in(client, organiser)
    url = f"/organisation/campagnes/{campaign.id}/preselection"
    page = client.get(url)
    assert page.status_code == 200 and "Retenir les propositions cochées" in page.text
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "action": "select",
            "proposal_ids": [str(proposals[0].id), str(proposals[1].id)],
            f"note-{proposals[0].id}": "Très fort impact",
            "note": "Bon dossier",
        },
    )
    assert response.status_code == 302
    assert statuses(proposals) == ["shortlisted", "shortlisted", "submitted", "submitted"]
    notes = {
        d.proposal_id: (d.selected, d.note, d.decided_by_id)
        for d in db.session.scalars(select(ShortlistDecision))
    }
    assert notes == {
        proposals[0].id: (True, "Très fort impact", organiser.id),
        proposals[1].id: (True, "Bon dossier", organiser.id),
    }
    # One by one: set one aside again, with its note.
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "action": "unselect",
            "proposal_ids": [str(proposals[1].id)],
            f"note-{proposals[1].id}": "Finalement trop proche d’un projet existant",
        },
    )
    assert response.status_code == 302
    assert statuses(proposals) == ["shortlisted", "submitted", "submitted", "submitted"]
    decision = db.session.scalar(
        select(ShortlistDecision).where(ShortlistDecision.proposal_id == proposals[1].id)
    )
    assert not decision.selected and decision.note.startswith("Finalement")
    page = client.get(url).text
    assert "Retenue" in page and "Écartée" in page and "Très fort impact" in page
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "jury.shortlist_decided")
    ).all()
    assert len(events) == 3


def test_bad_input_changes_nothing(client, shortlist):
    campaign, organiser, proposals, withdrawn = shortlist
    sign_in(client, organiser)
    url = f"/organisation/campagnes/{campaign.id}/preselection"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "action": "select",
            "proposal_ids": [str(proposals[0].id), str(withdrawn.id)],
        },
    )
    assert response.status_code == 200 and "Rien n’est enregistré" in response.text
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), "action": "select", "proposal_ids": []}
    )
    assert "Cochez au moins une proposition." in response.text
    assert (
        client.post(
            url,
            data={"csrf_token": csrf_token(client, url), "action": "select", "proposal_ids": ["x"]},
        ).status_code
        == 400
    )
    assert (
        client.post(
            url,
            data={"csrf_token": csrf_token(client, url), "action": "boom", "proposal_ids": ["1"]},
        ).status_code
        == 400
    )
    other = make_campaign("autre")
    foreign = make_proposal(other, make_user("x@francetravail.fr"), "Ailleurs")
    db.session.commit()
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "action": "select",
            "proposal_ids": [str(foreign.id)],
        },
    )
    assert "Rien n’est enregistré" in response.text
    assert statuses(proposals) == ["submitted"] * 4
    assert db.session.scalar(select(ShortlistDecision.id)) is None


def test_shortlist_is_closed_once_the_campaign_moves_to_pitch(client, shortlist):
    campaign, organiser, proposals, _withdrawn = shortlist
    decide_shortlist(
        organiser, campaign.id, [ShortlistChoice(proposals[0].id, "Oui")], selected=True
    )
    campaign.status = "pitch"
    db.session.commit()
    sign_in(client, organiser)
    url = f"/organisation/campagnes/{campaign.id}/preselection"
    page = client.get(url)
    assert "La présélection est close" in page.text
    assert "Retenir les propositions cochées" not in page.text
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "action": "unselect",
            "proposal_ids": [str(proposals[0].id)],
        },
    )
    assert "La présélection est close" in response.text
    assert statuses(proposals)[0] == "shortlisted"


def test_shortlist_also_works_during_review(app, shortlist):
    campaign, organiser, proposals, _withdrawn = shortlist
    campaign.status = "review"
    db.session.commit()
    assert (
        decide_shortlist(
            organiser,
            campaign.id,
            [ShortlistChoice(p.id) for p in proposals],
            selected=True,
        )
        == 4
    )
    campaign.status = "open"
    db.session.commit()
    with app.test_request_context(), pytest.raises(Refused, match="s’ouvrira"):
        decide_shortlist(organiser, campaign.id, [ShortlistChoice(proposals[0].id)], selected=False)


def test_jurors_and_agents_cannot_shortlist(client, shortlist):
    campaign, organiser, proposals, _withdrawn = shortlist
    juror = make_user("juror@francetravail.fr")
    add_role(campaign, juror)
    db.session.commit()
    sign_in(client, juror)
    token = csrf_token(client, "/jury")
    response = client.post(
        f"/organisation/campagnes/{campaign.id}/preselection",
        data={"csrf_token": token, "action": "select", "proposal_ids": [str(proposals[0].id)]},
    )
    assert response.status_code == 403
    assert statuses(proposals)[0] == "submitted"


def test_a_concurrent_change_of_a_proposal_is_refused_cleanly(app, shortlist):
    from sqlalchemy import update

    campaign, organiser, proposals, _withdrawn = shortlist
    assert proposals[0].status == "submitted"  # loaded in this session, at its version
    db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposals[0].id)
        .values(version=Proposal.version + 1)
        .execution_options(synchronize_session=False)
    )  # someone else saved it meanwhile
    with app.test_request_context(), pytest.raises(ConcurrentChange, match="en même temps"):
        decide_shortlist(organiser, campaign.id, [ShortlistChoice(proposals[0].id)], selected=True)
    assert statuses(proposals)[0] == "submitted"
    assert db.session.scalar(select(ShortlistDecision.id)) is None
