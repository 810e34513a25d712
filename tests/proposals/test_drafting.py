"""An agent drafts, submits, edits, withdraws and resubmits a proposal, through the pages."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from challenge.audit.models import AuditEvent
from challenge.extensions import db
from challenge.notifications.models import OutboxMessage
from challenge.proposals.models import MAX_LENGTHS, Proposal, ProposalVersion
from tests.proposals.builders import (  # noqa: F401  (one_user_per_request is an autouse fixture)
    COMPLETE,
    client_for,
    counts,
    csrf,
    make_campaign,
    make_user,
    one_user_per_request,
    post_edit,
    post_new,
    proposal_row,
    version_on,
)


def test_the_form_is_prefilled_from_the_profile_and_explains_each_field(app: Flask) -> None:
    make_campaign()
    agent = make_user(administration="DGFiP", service="SIP Lyon", region="Bretagne")
    page = client_for(app, agent).get("/campagnes/appel-2026/proposer").get_data(as_text=True)
    assert 'value="DGFiP"' in page and 'value="SIP Lyon"' in page
    assert '<option selected value="Bretagne">' in page
    # The canvases' questions, with help written for an agent, and a counter for each limit.
    assert "sans parler encore de la solution" in page
    assert "Comment fait-on aujourd’hui ?" in page
    assert "six mois" in page and "responsable hiérarchique" in page
    assert f'maxlength="{MAX_LENGTHS["irritant"]}"' in page
    assert 'data-counter="irritant-counter"' in page
    assert "proposal_form.js" in page


def test_draft_then_submit_sends_a_receipt_with_a_summary(app: Flask) -> None:
    make_campaign()
    agent = make_user()
    client = client_for(app, agent)
    response = post_new(client, title="Brouillon à compléter", irritant="Un début")
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert proposal.status == "draft" and proposal.title == "Brouillon à compléter"
    assert response.location.endswith(f"/propositions/{proposal.id}/modifier")
    assert db.session.scalar(select(OutboxMessage)) is None  # no mail for a draft

    response = post_edit(client, proposal.id, action="submit", **COMPLETE)
    assert response.status_code == 302
    proposal = proposal_row(proposal.id)
    assert proposal.status == "submitted" and proposal.submitted_at is not None
    receipt = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "proposal_receipt")
    )
    assert receipt.to_address == agent.email
    assert "est bien envoyée" in receipt.subject
    assert COMPLETE["irritant"].split("\n")[0] in receipt.body_text
    assert COMPLETE["solution"] in receipt.body_text and COMPLETE["solution"] in receipt.body_html
    assert f"/propositions/{proposal.id}" in receipt.body_text
    events = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert events[-2:] == ["proposal.saved", "proposal.submitted"]

    page = client.get(f"/propositions/{proposal.id}").get_data(as_text=True)
    assert "Envoyée" in page and "Retirer ma proposition" in page


def test_submission_with_missing_fields_keeps_the_draft_and_shows_errors_beside_fields(
    app: Flask,
) -> None:
    make_campaign()
    client = client_for(app, make_user())
    response = post_new(client, action="submit", title="Seulement un titre")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Votre brouillon est enregistré" in page
    assert 'id="irritant-error"' in page and "Décrivez l’irritant" in page
    assert 'id="commitment_released-error"' in page
    assert 'id="title-error"' not in page
    proposal = db.session.scalar(select(Proposal))
    assert proposal.status == "draft" and proposal.title == "Seulement un titre"
    assert db.session.scalar(select(OutboxMessage)) is None
    # The form now carries the saved draft's version: saving again works without a conflict.
    assert f'value="{proposal.version}"' in page


def test_edits_after_submission_are_kept_as_versions_and_shown_in_the_history(app: Flask) -> None:
    make_campaign()
    agent = make_user()
    client = client_for(app, agent)
    post_new(client, action="submit", **COMPLETE)
    proposal = db.session.scalar(select(Proposal))
    post_edit(client, proposal.id, **{**COMPLETE, "solution": "Une solution affinée"})
    post_edit(client, proposal.id, **{**COMPLETE, "solution": "Une solution affinée"})  # no change
    versions = db.session.scalars(
        select(ProposalVersion)
        .where(ProposalVersion.proposal_id == proposal.id)
        .order_by(ProposalVersion.number)
    ).all()
    assert [v.event for v in versions] == ["created", "submitted", "edited"]
    edited = versions[-1]
    assert edited.changed_fields == ["solution"]
    assert edited.author_id == agent.id
    assert edited.snapshot["solution"] == "Une solution affinée"
    assert proposal_row(proposal.id).status == "submitted"

    history = client.get(f"/propositions/{proposal.id}/historique").get_data(as_text=True)
    assert "Modification après envoi" in history and "Une solution affinée" in history
    assert "Anne Martin" in history


def test_a_sent_proposal_cannot_be_emptied(app: Flask) -> None:
    make_campaign()
    client = client_for(app, make_user())
    post_new(client, action="submit", **COMPLETE)
    proposal = db.session.scalar(select(Proposal))
    before = counts()
    response = post_edit(client, proposal.id, **{**COMPLETE, "irritant": "  "})
    assert response.status_code == 400
    assert "Décrivez l’irritant" in response.get_data(as_text=True)
    assert proposal_row(proposal.id).irritant == COMPLETE["irritant"]
    assert counts() == before


def test_withdraw_asks_for_confirmation_then_resubmit_before_the_deadline(app: Flask) -> None:
    make_campaign()
    client = client_for(app, make_user())
    post_new(client, action="submit", **COMPLETE)
    proposal = db.session.scalar(select(Proposal))

    page = client.get(f"/propositions/{proposal.id}/retirer").get_data(as_text=True)
    assert "Oui, retirer ma proposition" in page
    assert proposal_row(proposal.id).status == "submitted"  # a GET changes nothing

    response = client.post(
        f"/propositions/{proposal.id}/retirer", data={"csrf_token": csrf(client)}
    )
    assert response.status_code == 302
    assert proposal_row(proposal.id).status == "withdrawn"
    assert proposal_row(proposal.id).withdrawn_at is not None

    response = client.post(
        f"/propositions/{proposal.id}/envoyer", data={"csrf_token": csrf(client)}
    )
    assert response.status_code == 302
    proposal = proposal_row(proposal.id)
    assert proposal.status == "submitted" and proposal.withdrawn_at is None
    events = db.session.scalars(
        select(ProposalVersion.event).order_by(ProposalVersion.number)
    ).all()
    assert events[-2:] == ["withdrawn", "resubmitted"]
    receipts = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "proposal_receipt")
    ).all()
    assert len(receipts) == 2  # one per sending, each with its own dedup key


def test_withdraw_without_csrf_changes_nothing(app: Flask) -> None:
    make_campaign()
    client = client_for(app, make_user())
    post_new(client, action="submit", **COMPLETE)
    proposal = db.session.scalar(select(Proposal))
    response = client.post(f"/propositions/{proposal.id}/retirer", data={})
    assert response.status_code == 400
    assert proposal_row(proposal.id).status == "submitted"


def test_html_and_scripts_are_shown_as_text(app: Flask) -> None:
    make_campaign()
    client = client_for(app, make_user())
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    post_new(client, action="submit", **{**COMPLETE, "title": hostile, "irritant": hostile})
    proposal = db.session.scalar(select(Proposal))
    assert proposal.title == hostile  # stored as typed...
    for url in (
        f"/propositions/{proposal.id}",
        f"/propositions/{proposal.id}/modifier",
        f"/propositions/{proposal.id}/historique",
        "/mes-propositions",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;" in page, url
    receipt = db.session.scalar(select(OutboxMessage))
    assert "<script>alert" not in receipt.body_html and "&lt;script&gt;" in receipt.body_html


def test_maximum_lengths_are_enforced_by_the_server_and_change_nothing(app: Flask) -> None:
    make_campaign()
    client = client_for(app, make_user())
    post_new(client, **COMPLETE)
    proposal = db.session.scalar(select(Proposal))
    before = counts()
    too_long = "x" * (MAX_LENGTHS["irritant"] + 1)
    response = post_edit(client, proposal.id, **{**COMPLETE, "irritant": too_long})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="irritant-error"' in page and str(MAX_LENGTHS["irritant"]) in page
    assert too_long in page  # the text stays in the form
    assert counts() == before
    assert proposal_row(proposal.id).irritant == COMPLETE["irritant"]


def test_line_breaks_count_as_one_character_like_in_the_browser(app: Flask) -> None:
    make_campaign()
    client = client_for(app, make_user())
    limit = MAX_LENGTHS["workaround"]
    text = ("a\r\n" * (limit // 2))[: limit + limit // 2]  # within the limit once \r\n → \n
    assert len(text.replace("\r\n", "\n")) <= limit < len(text)
    response = post_new(client, **{**COMPLETE, "workaround": text})
    assert response.status_code == 302
    assert db.session.scalar(select(Proposal.workaround)) == text.replace("\r\n", "\n").strip()


def test_control_characters_are_dropped_not_a_500(app: Flask) -> None:
    make_campaign()
    client = client_for(app, make_user())
    response = post_new(client, title="Titre\x00 avec\x07 octets", irritant="a\x00b")
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert proposal.title == "Titre avec octets" and proposal.irritant == "ab"


def test_non_numeric_ids_and_unknown_slugs_are_404(app: Flask) -> None:
    make_campaign()
    client = client_for(app, make_user())
    for url in (
        "/propositions/abc",
        "/propositions/99999",
        "/propositions/99999/modifier",
        "/propositions/1/pieces-jointes/x",
        "/campagnes/inconnue/proposer",
        "/campagnes/inconnue/moi-aussi",
    ):
        assert client.get(url).status_code == 404, url


def test_a_bad_version_field_is_treated_as_a_conflict_not_a_crash(app: Flask) -> None:
    make_campaign()
    client = client_for(app, make_user())
    post_new(client, **COMPLETE)
    proposal = db.session.scalar(select(Proposal))
    for bad in ("", "abc", "-1", "9" * 30):
        before = counts()
        response = post_edit(client, proposal.id, version=bad, **{**COMPLETE, "title": "Autre"})
        assert response.status_code == 409, bad
        assert counts() == before


def test_extra_questions_are_asked_checked_and_required_to_submit(app: Flask) -> None:
    campaign = make_campaign(
        questions=[
            {"label": "Avez-vous déjà un sponsor ?", "kind": "yes_no", "required": True},
            {"label": "Thème", "kind": "single_choice", "choices": ["Emploi", "Social"]},
            {"label": "Un mot de plus", "kind": "short_text", "max_length": 20},
        ]
    )
    yes_no, choice, short = campaign.questions
    client = client_for(app, make_user())
    page = client.get("/campagnes/appel-2026/proposer").get_data(as_text=True)
    assert "Avez-vous déjà un sponsor ?" in page and 'maxlength="20"' in page

    response = post_new(client, action="submit", **COMPLETE)
    assert response.status_code == 400
    assert f'id="question_{yes_no.id}-error"' in response.get_data(as_text=True)
    proposal = db.session.scalar(select(Proposal))
    assert proposal.status == "draft"

    before = counts()
    bad = {f"question_{choice.id}": "Autre chose", f"question_{yes_no.id}": "peut-être"}
    response = post_edit(client, proposal.id, action="submit", **COMPLETE, **bad)
    assert response.status_code == 400
    assert counts() == before

    good = {
        f"question_{yes_no.id}": "yes",
        f"question_{choice.id}": "Social",
        f"question_{short.id}": "Court",
    }
    response = post_edit(client, proposal.id, action="submit", **COMPLETE, **good)
    assert response.status_code == 302
    proposal = proposal_row(proposal.id)
    assert proposal.status == "submitted"
    assert proposal.answers == {
        str(yes_no.id): "yes",
        str(choice.id): "Social",
        str(short.id): "Court",
    }
    receipt = db.session.scalar(select(OutboxMessage))
    assert "Avez-vous déjà un sponsor ?\nOui" in receipt.body_text


def test_my_proposals_shows_status_and_timeline(app: Flask) -> None:
    make_campaign()
    client = client_for(app, make_user())
    post_new(client, title="Premier brouillon")
    post_new(client, action="submit", **{**COMPLETE, "title": "Proposition envoyée"})
    page = client.get("/mes-propositions").get_data(as_text=True)
    assert "Premier brouillon" in page and "Proposition envoyée" in page
    assert "Brouillon" in page and "Envoyée" in page
    assert 'data-step="review" data-state="upcoming"' in page
    assert "Mes propositions" in page


def test_new_proposal_requires_sign_in(app: Flask) -> None:
    make_campaign()
    response = app.test_client().get("/campagnes/appel-2026/proposer")
    assert response.status_code == 302 and "/connexion" in response.location


def test_the_deadline_is_shown_in_paris_time(app: Flask) -> None:
    campaign = make_campaign()
    from challenge.timeutils import utc_to_paris

    campaign.deadline_at = campaign.deadline_at.replace(hour=22, minute=59, second=0) + timedelta(
        days=1
    )
    db.session.commit()
    page = client_for(app, make_user()).get("/campagnes/appel-2026/proposer").get_data(as_text=True)
    local = utc_to_paris(campaign.deadline_at)
    assert f"{local:%H:%M}" in page
