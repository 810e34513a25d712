"""Co-authors: invited by e-mail (allowed domains only), bound at their sign-in, read and edit,
removed by the submitter."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from challenge.accounts.models import User
from challenge.extensions import db
from challenge.notifications.models import OutboxMessage
from challenge.proposals.models import ProposalAuthor, ProposalVersion
from tests.proposals.builders import (  # noqa: F401
    COMPLETE,
    client_for,
    counts,
    csrf,
    make_campaign,
    make_proposal,
    make_user,
    one_user_per_request,
    proposal_row,
)


def invite(client, proposal_id: int, email: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/propositions/{proposal_id}/coauteurs", data={"csrf_token": csrf(client), "email": email}
    )


def sign_in_for_real(app: Flask, email: str):  # type: ignore[no-untyped-def]
    """Through the pages: ask for a link, read it in the outbox, press the button."""
    client = app.test_client()
    token = csrf(client, "/connexion")
    response = client.post("/connexion", data={"csrf_token": token, "email": email})
    assert response.status_code == 302, response.get_data(as_text=True)
    message = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "sign_in_link", OutboxMessage.to_address == email)
        .order_by(OutboxMessage.id.desc())
    )
    path = re.search(r"http://localhost(/connexion/lien/\S+)", message.body_text).group(1)
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(path, data={"csrf_token": token})
    assert response.status_code == 302
    return client


def test_an_invited_co_author_gets_a_mail_signs_in_and_edits(app: Flask) -> None:
    campaign = make_campaign()
    anne = make_user()
    proposal = make_proposal(anne, campaign, title="Notre idée")
    response = invite(client_for(app, anne), proposal.id, " Lea.Petit@FranceTravail.fr ")
    assert response.status_code == 302
    author = db.session.scalar(select(ProposalAuthor).where(ProposalAuthor.role == "coauthor"))
    assert author.email == "lea.petit@francetravail.fr" and author.user_id is None
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "proposal_coauthor_invitation")
    )
    assert mail.to_address == "lea.petit@francetravail.fr"
    assert "Anne Martin" in mail.subject and "Notre idée" in mail.body_text
    assert f"/propositions/{proposal.id}" in mail.body_text
    assert db.session.scalar(
        select(ProposalVersion.event).where(ProposalVersion.event == "coauthor_added")
    )

    lea = sign_in_for_real(app, "lea.petit@francetravail.fr")
    lea_user = db.session.scalar(select(User).where(User.email == "lea.petit@francetravail.fr"))
    db.session.expire_all()
    assert db.session.get(ProposalAuthor, author.id).user_id == lea_user.id  # bound at sign-in
    assert "Notre idée" in lea.get("/mes-propositions").get_data(as_text=True)
    page = lea.get(f"/propositions/{proposal.id}/modifier").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    response = lea.post(
        f"/propositions/{proposal.id}/modifier",
        data={
            "csrf_token": csrf(lea),
            "version": version,
            **COMPLETE,
            "title": "Notre idée, par Léa",
        },
    )
    assert response.status_code == 302
    assert proposal_row(proposal.id).title == "Notre idée, par Léa"


def test_an_existing_account_is_bound_at_once(app: Flask) -> None:
    campaign = make_campaign()
    anne = make_user()
    lea = make_user("lea.petit@francetravail.fr")
    proposal = make_proposal(anne, campaign)
    invite(client_for(app, anne), proposal.id, lea.email)
    author = db.session.scalar(select(ProposalAuthor).where(ProposalAuthor.role == "coauthor"))
    assert author.user_id == lea.id


def test_invitations_outside_the_allowed_domains_or_malformed_are_refused(app: Flask) -> None:
    campaign = make_campaign(domains="francetravail.fr")
    anne = make_user()
    proposal = make_proposal(anne, campaign)
    client = client_for(app, anne)
    before = counts()
    for email, message in (
        ("ami@gmail.com", "Cette campagne est ouverte aux adresses se terminant par"),
        ("pas-une-adresse", "Saisissez une adresse électronique valide"),
        ("", "Saisissez l’adresse électronique du co-auteur"),
        (anne.email, "fait déjà partie des auteurs"),
    ):
        response = invite(client, proposal.id, email)
        assert response.status_code == 400, email
        page = response.get_data(as_text=True)
        assert message in page, email
        assert 'id="email-error"' in page
    assert counts() == before


def test_only_the_submitter_invites_and_removes_a_co_author_may_leave(app: Flask) -> None:
    campaign = make_campaign()
    anne = make_user()
    lea = make_user("lea.petit@francetravail.fr")
    proposal = make_proposal(anne, campaign, coauthors=(lea.email, "tom@francetravail.fr"))
    authors = {a.email: a for a in proposal.authors}
    lea_client = client_for(app, lea)
    token = csrf(lea_client)
    before = counts()
    assert invite(lea_client, proposal.id, "zoe@francetravail.fr").status_code == 403
    response = lea_client.post(
        f"/propositions/{proposal.id}/coauteurs/{authors['tom@francetravail.fr'].id}/retirer",
        data={"csrf_token": token},
    )
    assert response.status_code == 403
    response = lea_client.post(
        f"/propositions/{proposal.id}/coauteurs/{authors[anne.email].id}/retirer",
        data={"csrf_token": token},
    )
    assert response.status_code == 404  # the submitter is no co-author to remove
    assert counts() == before

    # Léa leaves by herself; then she no longer sees the proposal.
    response = lea_client.post(
        f"/propositions/{proposal.id}/coauteurs/{authors[lea.email].id}/retirer",
        data={"csrf_token": token},
    )
    assert response.status_code == 302
    assert lea_client.get(f"/propositions/{proposal.id}").status_code == 404

    # Anne removes Tom.
    anne_client = client_for(app, anne)
    response = anne_client.post(
        f"/propositions/{proposal.id}/coauteurs/{authors['tom@francetravail.fr'].id}/retirer",
        data={"csrf_token": csrf(anne_client)},
    )
    assert response.status_code == 302
    remaining = db.session.scalars(select(ProposalAuthor.email)).all()
    assert remaining == [anne.email]
    events = db.session.scalars(
        select(ProposalVersion.event).where(ProposalVersion.event == "coauthor_removed")
    ).all()
    assert len(events) == 2


def test_the_receipt_goes_to_every_author(app: Flask) -> None:
    campaign = make_campaign()
    anne = make_user()
    proposal = make_proposal(anne, campaign, coauthors=("lea.petit@francetravail.fr",))
    client = client_for(app, anne)
    response = client.post(
        f"/propositions/{proposal.id}/envoyer", data={"csrf_token": csrf(client)}
    )
    assert response.status_code == 302
    receipts = db.session.scalars(
        select(OutboxMessage.to_address).where(OutboxMessage.kind == "proposal_receipt")
    ).all()
    assert sorted(receipts) == sorted([anne.email, "lea.petit@francetravail.fr"])
