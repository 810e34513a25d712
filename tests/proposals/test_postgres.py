"""The proposals on PostgreSQL: the whole flow, a real race between two saves, the search."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import select

from challenge.accounts.models import User
from challenge.extensions import db
from challenge.notifications.models import OutboxMessage
from challenge.proposals.fields import ProposalInput
from challenge.proposals.models import Proposal, ProposalVersion
from challenge.proposals.refusals import SaveConflict
from challenge.proposals.service import drafting
from tests.proposals.builders import (  # noqa: F401
    COMPLETE,
    client_for,
    counts,
    csrf,
    make_campaign,
    make_proposal,
    make_user,
    one_user_per_request,
    post_edit,
    post_new,
    proposal_row,
)

pytestmark = pytest.mark.postgres


def test_draft_submit_edit_conflict_withdraw_on_postgresql(pg_app: Flask) -> None:
    make_campaign(questions=[{"label": "Sponsor ?", "kind": "yes_no", "required": True}])
    anne = make_user()
    client = client_for(pg_app, anne)
    assert post_new(client, title="Brouillon").status_code == 302
    proposal = db.session.scalar(select(Proposal))
    qid = proposal_row(proposal.id).campaign.questions[0].id
    response = post_edit(
        client, proposal.id, action="submit", **COMPLETE, **{f"question_{qid}": "yes"}
    )
    assert response.status_code == 302
    assert proposal_row(proposal.id).status == "submitted"
    assert proposal_row(proposal.id).answers == {str(qid): "yes"}
    assert db.session.scalar(select(OutboxMessage.kind)) == "proposal_receipt"

    stale = str(proposal_row(proposal.id).version)
    post_edit(client, proposal.id, **{**COMPLETE, f"question_{qid}": "yes", "title": "Nouveau"})
    before = counts()
    response = post_edit(
        client, proposal.id, version=stale, **COMPLETE, **{f"question_{qid}": "no"}
    )
    assert response.status_code == 409
    assert counts() == before

    response = client.post(
        f"/propositions/{proposal.id}/retirer", data={"csrf_token": csrf(client)}
    )
    assert response.status_code == 302
    assert proposal_row(proposal.id).status == "withdrawn"
    assert "Nouveau" in client.get("/mes-propositions").get_data(as_text=True)


def test_two_saves_at_the_same_time_one_wins_the_other_gets_a_conflict(pg_app: Flask) -> None:
    campaign = make_campaign()
    anne = make_user()
    lea = make_user("lea.petit@francetravail.fr")
    proposal = make_proposal(anne, campaign, coauthors=(lea.email,))
    proposal_id, base = proposal.id, proposal.version
    user_ids = {"anne": anne.id, "lea": lea.id}
    db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save_as(name: str) -> None:
        with pg_app.app_context(), pg_app.test_request_context():
            user = db.session.get(User, user_ids[name])
            barrier.wait()
            try:
                drafting.save(proposal_id, user, ProposalInput(title=f"Titre de {name}"), base)
                outcomes[name] = "saved"
            except SaveConflict:
                outcomes[name] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save_as, args=(name,)) for name in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    final = proposal_row(proposal_id)
    assert final.title == f"Titre de {winner}" and final.version == base + 1
    numbers = db.session.scalars(
        select(ProposalVersion.number).where(ProposalVersion.proposal_id == proposal_id)
    ).all()
    assert sorted(numbers) == [1, 2]


def test_moi_aussi_search_on_postgresql(pg_app: Flask) -> None:
    campaign = make_campaign()
    author = make_user("auteur@francetravail.fr")
    make_proposal(
        author,
        campaign,
        status="submitted",
        title="Délais de paiement",
        irritant="100% des dossiers",
    )
    make_proposal(author, campaign, status="submitted", title="Autre chose", irritant="rien à voir")
    client = client_for(pg_app, make_user())
    page = client.get("/campagnes/appel-2026/moi-aussi?q=DÉLAIS").get_data(as_text=True)
    assert "Délais de paiement" in page and "Autre chose" not in page
    page = client.get("/campagnes/appel-2026/moi-aussi?q=100%").get_data(as_text=True)
    assert "Délais de paiement" in page and "Autre chose" not in page
    page = client.get("/campagnes/appel-2026/moi-aussi?q=%25").get_data(as_text=True)
    assert "Autre chose" not in page
