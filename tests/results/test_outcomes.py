"""Laureates, result messages, delivery status, the public page, consent, "Mes propositions"."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from challenge.access.outcomes import outcome_for_agent
from challenge.audit.models import AuditEvent
from challenge.extensions import db
from challenge.notifications.models import OutboxMessage
from challenge.proposals.models import Proposal
from challenge.results.models import NameConsent, ResultDecision, ResultTemplate
from tests.results.builders import (
    World,
    add_review,
    build_world,
    count_queries,
    csrf_token,
    sign_in,
)


@pytest.fixture
def client(isolated_client: FlaskClient) -> FlaskClient:
    return isolated_client


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def url(world: World, path: str) -> str:
    return f"/organisation/campagnes/{world.campaign.id}/{path}"


def post(client: FlaskClient, page: str, action: str, data: dict[str, str]):
    return client.post(action, data={"csrf_token": csrf_token(client, page), **data})


def decide(client: FlaskClient, world: World, outcomes: dict[int, str]):
    data = {f"outcome-{pid}": value for pid, value in outcomes.items()}
    return post(client, url(world, "laureats"), url(world, "laureats"), data)


def decisions(world: World) -> dict[int, str]:
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(ResultDecision.proposal_id, ResultDecision.outcome).where(
                ResultDecision.campaign_id == world.campaign.id
            )
        ).all()
    )


def statuses(world: World) -> dict[int, str]:
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(Proposal.id, Proposal.status).where(Proposal.campaign_id == world.campaign.id)
        ).all()
    )


def standard_outcomes(world: World) -> dict[int, str]:
    first, second, third = world.shortlist
    return {first.id: "laureate", second.id: "mention", third.id: "not_retained"}


def set_status(world: World, status: str) -> None:
    world.campaign.status = status
    db.session.commit()


# ---------------------------------------------------------------- laureates -----------------


def test_naming_laureates_decides_every_proposal_with_who_and_when(app, client) -> None:
    world = build_world(status="pitch")
    sign_in(client, world.organiser)
    page = text(client.get(url(world, "laureats")))
    assert "2 autres propositions déposées, qui n’ont pas été entendues" in page

    response = decide(client, world, standard_outcomes(world))
    assert response.status_code == 302
    p = world.proposals
    assert decisions(world) == {
        p[0].id: "laureate",
        p[1].id: "mention",
        p[2].id: "shortlisted_not_retained",
        p[3].id: "not_retained",
        p[4].id: "not_retained",
    }
    assert statuses(world) == {
        p[0].id: "laureate",
        p[1].id: "mention",
        p[2].id: "not_retained",
        p[3].id: "not_retained",
        p[4].id: "not_retained",
    }
    rows = db.session.scalars(select(ResultDecision)).all()
    assert {r.decided_by_id for r in rows} == {world.organiser.id}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "results.decided"))
    assert event.actor_id == world.organiser.id
    assert event.details["tally"] == {
        "laureate": 1,
        "mention": 1,
        "shortlisted_not_retained": 1,
        "not_retained": 2,
    }
    page = text(client.get(url(world, "laureats")))
    assert "Décision enregistrée le" in page and "par Olga Test" in page

    # Revised before the messages leave: the mention becomes a second laureate.
    outcomes = standard_outcomes(world) | {p[1].id: "laureate"}
    assert decide(client, world, outcomes).status_code == 302
    assert decisions(world)[p[1].id] == "laureate"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda o, w: {k: v for k, v in o.items() if k != w.shortlist[2].id},
            "choisissez une issue pour chaque pitch",
        ),
        (lambda o, w: dict.fromkeys(o, "not_retained"), "désignez au moins un lauréat"),
        (lambda o, w: o | {w.proposals[4].id: "laureate"}, "n’a pas été entendue"),
        (lambda o, w: o | {w.shortlist[2].id: "winner"}, "choisissez une issue pour chaque pitch"),
    ],
)
def test_bad_decisions_change_nothing(app, client, change, message) -> None:
    world = build_world(status="pitch")
    sign_in(client, world.organiser)
    before = statuses(world)
    response = decide(client, world, change(standard_outcomes(world), world))
    assert response.status_code == 400
    assert message in text(response)
    assert decisions(world) == {}
    assert statuses(world) == before


def test_laureates_are_named_only_at_pitch_or_results(app, client) -> None:
    world = build_world(status="shortlist")
    sign_in(client, world.organiser)
    response = decide(client, world, standard_outcomes(world))
    assert response.status_code == 302
    assert "Les lauréats se désignent après les pitchs" in text(client.get(url(world, "laureats")))
    assert decisions(world) == {}


# ---------------------------------------------------------------- messages ------------------


def results_ready(client: FlaskClient, world: World) -> None:
    sign_in(client, world.organiser)
    decide(client, world, standard_outcomes(world))
    set_status(world, "results")


def test_default_templates_are_created_and_unknown_placeholders_refused(app, client) -> None:
    world = build_world(status="pitch")
    sign_in(client, world.organiser)
    page = text(client.get(url(world, "messages")))
    assert "{message_du_jury}" in page and "{prochaines_etapes}" in page
    templates = {t.outcome: t for t in db.session.scalars(select(ResultTemplate))}
    assert set(templates) == {"laureate", "mention", "shortlisted_not_retained", "not_retained"}
    assert "{prenom}" in templates["laureate"].body
    assert templates["laureate"].next_steps

    before = templates["laureate"].body
    response = post(
        client,
        url(world, "messages"),
        url(world, "messages/modeles/laureate"),
        {
            "laureate-subject": "Bravo {prénom}",
            "laureate-body": "Bonjour {prenom} {titr}",
            "laureate-next_steps": "",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert re.search(r'id="laureate-body-error" class="fr-error-text">[^<]*\{titr\}', page)
    assert re.search(r'id="laureate-subject-error" class="fr-error-text">[^<]*\{prénom\}', page)
    db.session.expire_all()
    assert db.session.get(ResultTemplate, templates["laureate"].id).body == before

    response = post(
        client,
        url(world, "messages"),
        url(world, "messages/modeles/laureate"),
        {
            "laureate-subject": "Bravo {prenom} !",
            "laureate-body": "Bonjour {prenom},\n\n{titre}",
            "laureate-next_steps": "Rendez-vous lundi.",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(ResultTemplate, templates["laureate"].id)
    assert (saved.subject, saved.next_steps) == ("Bravo {prenom} !", "Rendez-vous lundi.")


def test_preview_then_send_each_message_once(app, client) -> None:
    world = build_world(status="pitch")
    results_ready(client, world)
    laureate = world.shortlist[0]
    key = f"{laureate.id}:"
    page = text(client.get(url(world, "messages")))
    option = re.search(rf'<option value="({key}\d+)"', page).group(1)
    preview = text(client.get(url(world, f"messages?destinataire={option}")))
    assert "Félicitations : votre proposition « Proposition 0 » est lauréate" in preview
    assert "Bonjour Agent0," in preview
    assert "Le jury vous adresse ce message" in preview
    assert "« Bravo pour la proposition 0 »" in preview
    assert "Juré0" not in preview, "never a juror's name"
    assert client.get(url(world, "messages?destinataire=999:999")).status_code == 200
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0, "a preview sends nothing"

    response = post(client, url(world, "messages"), url(world, "messages/envoyer"), {})
    assert response.status_code == 302
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "result_message")
    ).all()
    # Five submitters and the co-author of the laureate.
    assert len(messages) == 6
    by_to = {m.to_address: m for m in messages}
    assert "est lauréate" in by_to[world.agents[0].email].subject
    assert "/publication-du-nom" in by_to["coauteur0@francetravail.fr"].body_text
    assert "Bonjour," in by_to["coauteur0@francetravail.fr"].body_text, "no name, no stray space"
    assert "mention du jury" in by_to[world.agents[1].email].subject
    assert "Merci d’être venu présenter" in by_to[world.agents[2].email].body_text
    assert "n’a pas été retenue pour la suite" in by_to[world.agents[3].email].body_text
    assert "/publication-du-nom" not in by_to[world.agents[3].email].body_text
    assert "« Bravo pour la proposition 4 »" in by_to[world.agents[4].email].body_text

    post(client, url(world, "messages"), url(world, "messages/envoyer"), {})
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "result_message")
        )
        == 6
    ), "sending twice sends each message once"

    # Once sent, the decision is final.
    response = decide(client, world, standard_outcomes(world) | {world.shortlist[1].id: "laureate"})
    assert response.status_code == 302
    assert decisions(world)[world.shortlist[1].id] == "mention"


def test_messages_leave_only_at_the_results_step(app, client) -> None:
    world = build_world(status="pitch")
    sign_in(client, world.organiser)
    decide(client, world, standard_outcomes(world))
    page = text(client.get(url(world, "messages")))
    assert "Les messages partent à l’étape « Résultats »" in page
    post(client, url(world, "messages"), url(world, "messages/envoyer"), {})
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_delivery_status_and_resend_of_a_failed_message(app, client) -> None:
    world = build_world(status="pitch")
    results_ready(client, world)
    post(client, url(world, "messages"), url(world, "messages/envoyer"), {})
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "result_message")
        .order_by(OutboxMessage.id)
    ).all()
    messages[0].status = "sent"
    messages[1].status = "failed"
    messages[1].attempts = 8
    messages[1].last_error = "SMTPRecipientsRefused: boîte pleine"
    db.session.commit()

    page = text(client.get(url(world, "messages/envois")))
    assert "Envoyé" in page and "Échec" in page and "boîte pleine" in page
    failed_only = text(client.get(url(world, "messages/envois?statut=failed")))
    assert messages[1].to_address in failed_only and messages[0].to_address not in failed_only

    # A message that did not fail cannot be "resent".
    response = post(
        client, url(world, "messages/envois"), url(world, f"messages/{messages[0].id}/renvoyer"), {}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, messages[0].id).status == "sent"

    response = post(
        client, url(world, "messages/envois"), url(world, f"messages/{messages[1].id}/renvoyer"), {}
    )
    assert response.status_code == 302
    db.session.expire_all()
    again = db.session.get(OutboxMessage, messages[1].id)
    assert (again.status, again.attempts) == ("pending", 0)
    assert (
        db.session.scalar(
            select(AuditEvent.actor_id).where(AuditEvent.action == "results.message_resent")
        )
        == world.organiser.id
    )


# ---------------------------------------------------------------- public page, consent -------


def test_public_page_shows_names_only_with_consent(app, client) -> None:
    world = build_world(status="pitch")
    public = f"/campagnes/{world.campaign.slug}/laureats"
    assert client.get(public).status_code == 404, "not before the results"
    results_ready(client, world)
    page = text(client.get(public))
    assert "Proposition 0" in page and "Proposition 1" in page
    assert "Proposition 2" not in page and "Proposition 3" not in page
    assert "L’irritant de « Proposition 0 »" in page and "France Travail" in page
    assert "Agent0" not in page and "Agent1" not in page, "no name without consent"

    laureate = type(client)(app)
    sign_in(laureate, world.agents[0])
    consent = f"/propositions/{world.shortlist[0].id}/publication-du-nom"
    assert "Je ne souhaite pas" in text(laureate.get(consent))
    response = post(laureate, consent, consent, {"consent": "yes"})
    assert response.status_code == 302
    page = text(client.get(public))
    assert "Agent0 Nom0" in page
    db.session.expire_all()
    assert db.session.get(Proposal, world.shortlist[0].id).publish_name_consent is True
    assert db.session.scalar(select(NameConsent.consent)) is True

    post(laureate, consent, consent, {"consent": "no"})
    assert "Agent0 Nom0" not in text(client.get(public))

    # Someone else's proposal, or a proposal that is not a laureate: 404.
    assert (
        laureate.get(f"/propositions/{world.shortlist[1].id}/publication-du-nom").status_code == 404
    )
    other = type(client)(app)
    sign_in(other, world.agents[3])
    assert other.get(f"/propositions/{world.proposals[3].id}/publication-du-nom").status_code == 404
    assert client.get("/campagnes/inconnue/laureats").status_code == 404


# ---------------------------------------------------------------- "Mes propositions" --------


def test_outcome_for_agent_once_the_results_are_announced(app, client) -> None:
    world = build_world(status="pitch")
    sign_in(client, world.organiser)
    decide(client, world, standard_outcomes(world))
    ids = [p.id for p in world.proposals]
    assert outcome_for_agent(ids) == {}, "decided, not yet announced"
    set_status(world, "results")
    add_review(
        world.proposals[0],
        world.jurors[1],
        world.pitch_grid,
        4,
        phase="pitch",
        message="Un pitch remarquable",
    )
    db.session.commit()

    outcomes = outcome_for_agent(ids)
    first = outcomes[world.proposals[0].id]
    assert (first.outcome, first.status) == ("laureate", "laureate")
    with app.test_request_context():
        assert first.label == "Lauréat"
    assert first.jury_messages == ("Bravo pour la proposition 0", "Un pitch remarquable")
    assert first.consent_endpoint == "results.name_consent"
    third = outcomes[world.proposals[2].id]
    assert (third.outcome, third.status) == ("shortlisted_not_retained", "not_retained")
    assert third.consent_endpoint is None
    assert outcomes[world.proposals[4].id].outcome == "not_retained"


def test_outcome_for_agent_in_a_constant_number_of_queries(app, client) -> None:
    world = build_world(status="pitch", proposals=12)
    sign_in(client, world.organiser)
    decide(client, world, standard_outcomes(world))
    set_status(world, "results")
    ids = [p.id for p in world.proposals]
    with count_queries() as one:
        assert len(outcome_for_agent(ids[:1])) == 1
    with count_queries() as many:
        assert len(outcome_for_agent(ids)) == 12
    assert len(one) == len(many) == 2
