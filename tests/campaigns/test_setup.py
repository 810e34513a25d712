"""Setting up a campaign: creation by an admin, settings, questions, grids, jury and invitations.

Every refusal is checked to change nothing in the database.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from challenge.accounts import service as accounts
from challenge.accounts.models import Membership, Role, User
from challenge.audit.models import AuditEvent
from challenge.campaigns.models import Campaign, Criterion, ProposalQuestion
from challenge.extensions import db
from challenge.jury.models import Review
from challenge.notifications.models import OutboxMessage
from challenge.proposals.models import Proposal
from challenge.timeutils import paris_to_utc, utcnow
from tests.campaigns.builders import (
    add_member,
    login,
    make_campaign,
    make_user,
    paris_input,
    post,
    settings_form,
    snapshot,
)


@pytest.fixture
def admin(app: Flask) -> User:
    return make_user("admin@demo.gouv.fr", admin=True)


@pytest.fixture
def organiser(app: Flask) -> User:
    return make_user("orga@francetravail.fr")


@pytest.fixture
def campaign(app: Flask, organiser: User) -> Campaign:
    campaign = make_campaign("Appel France Travail")
    add_member(campaign, organiser, Role.ORGANISER)
    return campaign


def url(campaign: Campaign, page: str = "") -> str:
    return f"/organisation/campagnes/{campaign.id}{page}"


def audit_actions(campaign: Campaign) -> list[str]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.campaign_id == campaign.id)
            .order_by(AuditEvent.id)
        )
    )


def error_texts(page: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", t).strip()
        for t in re.findall(r'class="fr-error-text">(.*?)</p>', page, re.S)
    ]


# ---------------------------------------------------------------- creation -------------------


def test_an_admin_creates_a_draft_with_default_grids_and_invites_its_organisers(
    client: FlaskClient, admin: User
):
    existing = make_user("deja@francetravail.fr")
    login(client, admin)
    assert "Créer une campagne" in client.get("/organisation").get_data(as_text=True)
    response = post(
        client,
        "/organisation/campagnes/nouvelle",
        {
            "title": "Y a-t-il un intrapreneur à l’Urssaf ?",
            "administration": "Urssaf",
            "organiser_emails": "Nouvelle.Orga@urssaf.fr\ndeja@francetravail.fr, nouvelle.orga@urssaf.fr",
        },
    )
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert response.headers["Location"].endswith(url(campaign, "/parametres"))
    assert campaign.status == "draft"
    assert campaign.slug == "y-a-t-il-un-intrapreneur-a-l-urssaf"
    review = campaign.grid("review")
    assert [c.label for c in review] == [
        "Ampleur de l’irritant",
        "Impact pour les usagers",
        "Faisabilité d’une première version en six mois",
        "Engagement de l’intrapreneur",
    ]
    assert all(c.scale_min == 0 and c.scale_max == 4 for c in review)
    assert all(len(c.level_descriptions) == 5 for c in review)
    assert len(campaign.grid("pitch")) == 5

    members = {m.email: m for m in db.session.scalars(select(Membership))}
    assert set(members) == {"nouvelle.orga@urssaf.fr", "deja@francetravail.fr"}
    assert members["nouvelle.orga@urssaf.fr"].user_id is None  # bound at first sign-in
    assert members["deja@francetravail.fr"].user_id == existing.id
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.to_address for m in mails] == ["nouvelle.orga@urssaf.fr", "deja@francetravail.fr"]
    assert all(m.kind == "campaign_organiser_invitation" for m in mails)
    assert "Urssaf" in mails[0].subject or "Urssaf" in mails[0].body_text
    assert "/connexion?next=" in mails[0].body_text
    assert audit_actions(campaign) == [
        "campaign.created",
        "campaign.organiser_invited",
        "campaign.organiser_invited",
    ]


def test_an_invited_organiser_gets_the_campaign_at_first_sign_in(client: FlaskClient, admin: User):
    login(client, admin)
    post(
        client,
        "/organisation/campagnes/nouvelle",
        {"title": "Appel", "organiser_emails": "premiere@exemple.org"},
    )
    campaign = db.session.scalar(select(Campaign))
    login(client, None)
    with client.application.test_request_context():
        accounts.request_link("premiere@exemple.org")
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "sign_in_link"))
    token = re.search(r"/connexion/lien/([\w-]+)", message.body_text).group(1)
    signed_in = accounts.consume_link(token)
    membership = db.session.scalar(select(Membership))
    assert membership.user_id == signed_in.user.id
    login(client, signed_in.user)
    assert client.get(url(campaign)).status_code == 200


def test_creation_refuses_bad_addresses_and_creates_nothing(client: FlaskClient, admin: User):
    login(client, admin)
    before = snapshot()
    response = post(
        client,
        "/organisation/campagnes/nouvelle",
        {"title": "Appel", "organiser_emails": "bon@francetravail.fr\npas-une-adresse"},
    )
    assert response.status_code == 200
    assert "« pas-une-adresse »" in " ".join(error_texts(response.get_data(as_text=True)))
    response = post(client, "/organisation/campagnes/nouvelle", {"title": "  ", "slug": "Pas Bon"})
    assert response.status_code == 200
    assert snapshot() == before


def test_only_admins_create_campaigns(client: FlaskClient, organiser: User, campaign: Campaign):
    login(client, organiser)
    assert client.get("/organisation/campagnes/nouvelle").status_code == 403
    before = snapshot()
    assert post(client, "/organisation/campagnes/nouvelle", {"title": "X"}).status_code == 403
    assert snapshot() == before
    assert "Créer une campagne" not in client.get("/organisation").get_data(as_text=True)


def test_the_organiser_index_lists_only_ones_own_campaigns_and_admins_see_all(
    client: FlaskClient, organiser: User, campaign: Campaign, admin: User
):
    other = make_campaign("Autre appel")
    login(client, organiser)
    page = client.get("/organisation").get_data(as_text=True)
    assert campaign.title in page and other.title not in page
    login(client, admin)
    page = client.get("/organisation").get_data(as_text=True)
    assert campaign.title in page and other.title in page


# ---------------------------------------------------------------- settings -------------------


def test_settings_are_saved_in_paris_time_and_audited_with_their_diffs(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    login(client, organiser)
    page = client.get(url(campaign, "/parametres")).get_data(as_text=True)
    assert 'name="deadline_at"' in page and 'type="datetime-local"' in page
    deadline_paris = (utcnow() + timedelta(days=40)).replace(
        hour=17, minute=30, second=0, microsecond=0
    )
    response = post(
        client,
        url(campaign, "/parametres"),
        settings_form(
            campaign,
            title="Appel 2026",
            call_text="## L’appel\n\nProposez **vos** idées.",
            allowed_domains="francetravail.fr\n@Pole-Emploi.fr, francetravail.fr",
            deadline_at=paris_input(deadline_paris),
        ),
    )
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert campaign.title == "Appel 2026"
    assert campaign.allowed_domains == "francetravail.fr,pole-emploi.fr"
    assert campaign.deadline_at == paris_to_utc(deadline_paris)
    assert campaign.deadline_at.hour in (15, 16)  # 17:30 in Paris is 15:30 or 16:30 UTC
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "campaign.settings_updated")
    )
    assert event.actor_id == organiser.id
    changes = event.details["changes"]
    assert set(changes) == {"title", "call_text", "allowed_domains", "deadline_at"}
    assert changes["title"] == ["Appel France Travail", "Appel 2026"]
    # The page shows the stored date back in Paris time.
    page = client.get(url(campaign, "/parametres")).get_data(as_text=True)
    assert paris_input(deadline_paris) in page


def test_saving_an_unchanged_form_changes_nothing(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    login(client, organiser)
    before = snapshot()
    response = post(client, url(campaign, "/parametres"), settings_form(campaign))
    assert response.status_code == 302
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Saisissez le titre"),
        ({"allowed_domains": "francetravail.fr\npas un domaine"}, "allowed_domains", "« pas »"),
        (
            {"allowed_domains": "agent@francetravail.fr"},
            "allowed_domains",
            "« agent@francetravail.fr »",
        ),
        ({"allowed_domains": "localhost"}, "allowed_domains", "noms de domaine"),
        ({"deadline_at": "2020-01-01T10:00"}, "deadline_at", "passée"),
        ({"deadline_at": "demain"}, "deadline_at", "date/heure valide"),
        ({"deadline_at": "0001-01-01T00:00"}, "deadline_at", "entre 2000 et 2100"),
        ({"results_at": "9999-12-31T23:59"}, "results_at", "entre 2000 et 2100"),
        ({"slug": "Pas Bon!"}, "slug", "lettres minuscules"),
    ],
)
def test_bad_settings_are_refused_beside_the_field_and_nothing_is_saved(
    client: FlaskClient,
    organiser: User,
    campaign: Campaign,
    overrides: dict[str, str],
    field: str,
    message: str,
):
    login(client, organiser)
    before = snapshot()
    response = post(client, url(campaign, "/parametres"), settings_form(campaign, **overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    group = re.search(
        rf'<div class="fr-input-group fr-input-group--error[^"]*">\s*<label class="fr-label" for="{field}"',
        page,
    )
    assert group, f"no error beside {field}"
    assert any(message in text for text in error_texts(page))
    assert snapshot() == before


def test_overlapping_dates_are_refused_on_the_later_date(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    login(client, organiser)
    before = snapshot()
    soon = utcnow() + timedelta(days=10)
    response = post(
        client,
        url(campaign, "/parametres"),
        settings_form(
            campaign,
            review_ends_at=paris_input(soon),  # before the deadline (in 30 days)
            pitch_at=paris_input(soon + timedelta(days=40)),
            results_at=paris_input(soon + timedelta(days=39)),
        ),
    )
    errors = error_texts(response.get_data(as_text=True))
    assert any("après la date limite de dépôt" in e for e in errors)
    assert any("après la journée de pitch" in e for e in errors)
    assert snapshot() == before


def test_a_stale_form_does_not_overwrite_another_organisers_change(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    login(client, organiser)
    stale = settings_form(campaign, title="Mon titre")
    assert (
        post(
            client, url(campaign, "/parametres"), settings_form(campaign, title="Le sien")
        ).status_code
        == 302
    )
    before = snapshot()
    response = post(client, url(campaign, "/parametres"), stale)
    assert response.status_code == 200
    assert "modifiée entre-temps" in response.get_data(as_text=True)
    assert snapshot() == before


def test_an_archived_campaign_cannot_be_edited(client: FlaskClient, organiser: User):
    archived = make_campaign("Ancien appel", status="archived")
    add_member(archived, organiser, Role.ORGANISER)
    login(client, organiser)
    before = snapshot()
    response = post(client, url(archived, "/parametres"), settings_form(archived, title="Neuf"))
    assert "archivée" in response.get_data(as_text=True)
    post(
        client,
        url(archived, "/jury"),
        {"version": archived.version, "reviews_per_proposal": 2, "scores_visibility": "never"},
    )
    post(client, url(archived, "/jury/invitations"), {"jury-emails": "j@x.fr"})
    post(client, url(archived, "/organisateurs"), {"org-emails": "o@x.fr"})
    post(
        client,
        url(archived, "/questions"),
        {"version": archived.version, "questions-0-label": "Q", "questions-0-kind": "yes_no"},
    )
    post(
        client,
        url(archived, "/grilles/review"),
        {
            "version": archived.version,
            "scale_min": 0,
            "scale_max": 4,
            "criteria-0-label": "A",
            "criteria-0-weight": "1",
        },
    )
    assert snapshot() == before
    page = client.get(url(archived, "/parametres")).get_data(as_text=True)
    assert "Enregistrer les paramètres" not in page


def test_the_slug_is_fixed_once_the_campaign_is_published(client: FlaskClient, organiser: User):
    live = make_campaign("Appel ouvert", status="open")
    add_member(live, organiser, Role.ORGANISER)
    login(client, organiser)
    before = snapshot()
    response = post(client, url(live, "/parametres"), settings_form(live, slug="nouvelle-adresse"))
    assert response.status_code == 302  # the field is not on the page: ignored
    assert snapshot() == before
    from challenge.campaigns.queries.lifecycle import dates_of
    from challenge.campaigns.service.settings import Settings, update_settings
    from challenge.errors import Invalid

    with pytest.raises(Invalid) as refused:
        update_settings(
            live,
            Settings(
                live.title,
                live.administration,
                live.call_text,
                live.allowed_domains,
                dates_of(live),
                slug="autre",
            ),
            organiser,
        )
    assert "ne peut plus changer" in refused.value.errors["slug"][0]
    assert snapshot() == before
    response = post(client, url(live, "/parametres"), settings_form(live, allowed_domains=""))
    assert "au moins un domaine" in response.get_data(as_text=True)
    assert snapshot() == before


# ---------------------------------------------------------------- questions ------------------


def question(index: int, **fields: object) -> dict[str, object]:
    return {f"questions-{index}-{name}": value for name, value in fields.items()}


def test_organisers_add_edit_reorder_and_remove_extra_questions(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    login(client, organiser)
    added = post(
        client, url(campaign, "/questions"), {"version": campaign.version, "action": "add"}
    )
    assert added.status_code == 200 and 'name="questions-0-label"' in added.get_data(as_text=True)
    assert db.session.scalar(select(ProposalQuestion.id)) is None  # "add" saves nothing

    data = {
        "version": campaign.version,
        "action": "save",
        **question(
            0, label="Votre métier", kind="short_text", max_length="80", position="2", required="y"
        ),
        **question(
            1,
            label="Public visé",
            kind="single_choice",
            choices="Usagers\nAgents\nUsagers",
            position="1",
        ),
        **question(2, label="Sponsor identifié ?", kind="yes_no", max_length="50", position="3"),
        **question(3, label="Détaillez", kind="long_text", position="4"),
    }
    assert post(client, url(campaign, "/questions"), data).status_code == 302
    saved = db.session.scalars(
        select(ProposalQuestion)
        .where(ProposalQuestion.campaign_id == campaign.id)
        .order_by(ProposalQuestion.position)
    ).all()
    assert [(q.label, q.kind, q.position) for q in saved] == [
        ("Public visé", "single_choice", 0),
        ("Votre métier", "short_text", 1),
        ("Sponsor identifié ?", "yes_no", 2),
        ("Détaillez", "long_text", 3),
    ]
    assert saved[0].choices == ["Usagers", "Agents"]
    assert saved[1].required and saved[1].max_length == 80
    assert saved[2].max_length is None  # a yes/no has no length

    db.session.refresh(campaign)
    ids = [q.id for q in saved]
    data = {
        "version": campaign.version,
        "action": "save",
        **question(
            0,
            id=ids[0],
            label="Public visé",
            kind="single_choice",
            choices="Usagers\nAgents",
            position="1",
        ),
        **question(
            1,
            id=ids[1],
            label="Votre métier actuel",
            kind="short_text",
            max_length="80",
            position="2",
            required="y",
        ),
        **question(
            2, id=ids[2], label="Sponsor identifié ?", kind="yes_no", position="3", remove="y"
        ),
        **question(3, id=ids[3], label="Détaillez", kind="long_text", position="4"),
    }
    assert post(client, url(campaign, "/questions"), data).status_code == 302
    remaining = db.session.scalars(
        select(ProposalQuestion.label).order_by(ProposalQuestion.position)
    ).all()
    assert remaining == ["Public visé", "Votre métier actuel", "Détaillez"]
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "campaign.questions_updated")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.details["removed"][0]["label"] == "Sponsor identifié ?"
    assert event.details["changed"][0]["changes"]["label"] == [
        "Votre métier",
        "Votre métier actuel",
    ]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"label": "", "kind": "short_text"}, "label", "intitulé"),
        (
            {"label": "Public", "kind": "single_choice", "choices": "Un seul"},
            "choices",
            "deux choix",
        ),
        ({"label": "Texte", "kind": "short_text", "max_length": "0"}, "max_length", ""),
        (
            {"label": "Texte", "kind": "short_text", "max_length": "beaucoup"},
            "max_length",
            "entier",
        ),
        ({"label": "Texte", "kind": "essay"}, "kind", ""),
    ],
)
def test_bad_questions_are_refused_and_nothing_is_saved(
    client: FlaskClient, organiser: User, campaign: Campaign, fields: dict, field: str, message: str
):
    login(client, organiser)
    before = snapshot()
    response = post(
        client,
        url(campaign, "/questions"),
        {"version": campaign.version, "action": "save", **question(0, **fields)},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(rf'for="questions-0-{field}"', page)
    assert error_texts(page) and any(message in e for e in error_texts(page))
    assert snapshot() == before


def test_questions_are_frozen_once_submissions_close(client: FlaskClient, organiser: User):
    closed = make_campaign("Appel clos", status="review")
    add_member(closed, organiser, Role.ORGANISER)
    login(client, organiser)
    before = snapshot()
    response = post(
        client,
        url(closed, "/questions"),
        {"version": closed.version, "action": "save", **question(0, label="Q", kind="yes_no")},
    )
    assert "ne peuvent plus changer" in response.get_data(as_text=True)
    assert snapshot() == before


def test_another_campaigns_question_cannot_be_edited_through_this_one(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    other = make_campaign("Autre")
    foreign = ProposalQuestion(campaign_id=other.id, label="Secrète", kind="yes_no")
    db.session.add(foreign)
    db.session.commit()
    login(client, organiser)
    before = snapshot()
    response = post(
        client,
        url(campaign, "/questions"),
        {
            "version": campaign.version,
            "action": "save",
            **question(0, id=foreign.id, label="Volée", kind="yes_no"),
        },
    )
    assert response.status_code == 404
    response = post(
        client,
        url(campaign, "/questions"),
        {
            "version": campaign.version,
            "action": "save",
            **question(0, id="abc", label="Volée", kind="yes_no"),
        },
    )
    assert response.status_code == 404
    assert snapshot() == before


# ---------------------------------------------------------------- grids ----------------------


def grid_form(campaign: Campaign, kind: str = "review", **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": campaign.version,
        "action": "save",
        "scale_min": 0,
        "scale_max": 4,
    }
    for index, c in enumerate(campaign.grid(kind)):
        data.update(
            {
                f"criteria-{index}-id": c.id,
                f"criteria-{index}-label": c.label,
                f"criteria-{index}-description": c.description,
                f"criteria-{index}-weight": f"{c.weight:g}",
                f"criteria-{index}-levels": "\n".join(c.level_descriptions),
                f"criteria-{index}-position": index + 1,
            }
        )
    data.update(overrides)
    return data


def test_the_default_grid_is_shown_and_can_be_edited(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    login(client, organiser)
    page = client.get(url(campaign, "/grilles/review")).get_data(as_text=True)
    assert "Ampleur de l’irritant" in page and "Engagement de l’intrapreneur" in page
    response = post(
        client,
        url(campaign, "/grilles/review"),
        grid_form(
            campaign,
            **{
                "criteria-0-weight": "1,5",
                "criteria-3-remove": "y",
                "criteria-4-label": "Originalité",
                "criteria-4-weight": "0.5",
                "criteria-4-position": "0",
            },
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    grid = db.session.get(Campaign, campaign.id).grid("review")
    assert [(c.label, c.weight, c.position) for c in grid] == [
        ("Originalité", 0.5, 0),
        ("Ampleur de l’irritant", 1.5, 1),
        ("Impact pour les usagers", 1.0, 2),
        ("Faisabilité d’une première version en six mois", 1.0, 3),
    ]
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "campaign.grid_updated")
    )
    assert event.details["grid"] == "review"
    assert event.details["added"][0]["label"] == "Originalité"
    assert event.details["removed"][0]["label"] == "Engagement de l’intrapreneur"
    # The pitch grid is untouched.
    assert len(db.session.get(Campaign, campaign.id).grid("pitch")) == 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"criteria-0-weight": "0"}, "strictement positif"),
        ({"criteria-0-weight": "-2"}, "strictement positif"),
        ({"criteria-0-weight": "lourd"}, "strictement positif"),
        ({"criteria-0-weight": "nan"}, "strictement positif"),
        ({"criteria-0-weight": "inf"}, "strictement positif"),
        ({"criteria-0-label": ""}, "intitulé"),
        ({"criteria-0-levels": "un\ndeux"}, "5 lignes"),
        ({"scale_max": "0"}, ""),
        ({"scale_min": "4"}, "dépasser la note minimale"),
        ({"scale_max": "99"}, ""),
        ({"scale_min": "abc"}, "entier"),
    ],
)
def test_bad_grids_are_refused_and_nothing_is_saved(
    client: FlaskClient, organiser: User, campaign: Campaign, overrides: dict, message: str
):
    login(client, organiser)
    before = snapshot()
    response = post(client, url(campaign, "/grilles/review"), grid_form(campaign, **overrides))
    assert response.status_code == 200
    assert any(message in e for e in error_texts(response.get_data(as_text=True)))
    assert snapshot() == before


def test_an_empty_grid_is_refused(client: FlaskClient, organiser: User, campaign: Campaign):
    login(client, organiser)
    before = snapshot()
    removals = {f"criteria-{i}-remove": "y" for i in range(4)}
    response = post(client, url(campaign, "/grilles/review"), grid_form(campaign, **removals))
    assert "au moins un critère" in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_grid_used_by_a_review_cannot_change(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    agent = make_user("agent@francetravail.fr")
    proposal = Proposal(campaign_id=campaign.id, submitter_id=agent.id, status="submitted")
    db.session.add(proposal)
    db.session.flush()
    db.session.add(Review(campaign_id=campaign.id, proposal_id=proposal.id, juror_id=organiser.id))
    db.session.commit()
    login(client, organiser)
    page = client.get(url(campaign, "/grilles/review")).get_data(as_text=True)
    assert 'data-testid="grid-locked"' in page and "Enregistrer la grille" not in page
    before = snapshot()
    response = post(
        client, url(campaign, "/grilles/review"), grid_form(campaign, **{"criteria-0-weight": "3"})
    )
    assert "ne peut plus changer" in response.get_data(as_text=True)
    assert snapshot() == before
    # The pitch grid is still free.
    assert (
        post(
            client,
            url(campaign, "/grilles/pitch"),
            grid_form(campaign, "pitch", **{"criteria-0-weight": "2"}),
        ).status_code
        == 302
    )


def test_an_unknown_grid_kind_is_not_found(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    login(client, organiser)
    assert client.get(url(campaign, "/grilles/oral")).status_code == 404
    foreign = db.session.scalar(
        select(Criterion.id).where(Criterion.grid == "pitch", Criterion.campaign_id == campaign.id)
    )
    before = snapshot()
    response = post(
        client, url(campaign, "/grilles/review"), grid_form(campaign, **{"criteria-0-id": foreign})
    )
    assert response.status_code == 404
    assert snapshot() == before


# ---------------------------------------------------------------- jury -----------------------


def test_jury_settings_are_saved_and_audited(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    login(client, organiser)
    page = client.get(url(campaign, "/jury")).get_data(as_text=True)
    assert 'value="after_own"' in page
    response = post(
        client,
        url(campaign, "/jury"),
        {
            "version": campaign.version,
            "reviews_per_proposal": "4",
            "blind_review": "y",
            "scores_visibility": "never",
            "allow_supports": "y",
        },
    )
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert campaign.reviews_per_proposal == 4
    assert campaign.blind_review is True
    assert campaign.scores_visibility == "never"
    assert campaign.same_administration_conflict is False
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "campaign.jury_settings_updated")
    )
    assert event.details["changes"]["reviews_per_proposal"] == [3, 4]


@pytest.mark.parametrize(
    "overrides",
    [
        {"reviews_per_proposal": "0"},
        {"reviews_per_proposal": "21"},
        {"reviews_per_proposal": "trois"},
        {"reviews_per_proposal": "99999999999999999999"},
        {"scores_visibility": "sometimes"},
    ],
)
def test_bad_jury_settings_are_refused(
    client: FlaskClient, organiser: User, campaign: Campaign, overrides: dict
):
    login(client, organiser)
    before = snapshot()
    data = {
        "version": campaign.version,
        "reviews_per_proposal": "3",
        "scores_visibility": "always",
        **overrides,
    }
    response = post(client, url(campaign, "/jury"), data)
    assert response.status_code == 200
    assert "fr-error-text" in response.get_data(
        as_text=True
    ) or "fr-message--error" in response.get_data(as_text=True)
    assert snapshot() == before


def test_jurors_are_invited_by_email_once(client: FlaskClient, organiser: User, campaign: Campaign):
    known = make_user("jure.connu@finances.gouv.fr")
    login(client, organiser)
    response = post(
        client,
        url(campaign, "/jury/invitations"),
        {"jury-emails": "Jure.Un@beta.gouv.fr; jure.connu@finances.gouv.fr\njure.un@beta.gouv.fr"},
    )
    assert response.status_code == 302
    jurors = {
        m.email: m for m in db.session.scalars(select(Membership).where(Membership.role == "juror"))
    }
    assert set(jurors) == {"jure.un@beta.gouv.fr", "jure.connu@finances.gouv.fr"}
    assert jurors["jure.un@beta.gouv.fr"].user_id is None
    assert jurors["jure.connu@finances.gouv.fr"].user_id == known.id
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "campaign_juror_invitation")
    ).all()
    assert len(mails) == 2
    assert all(m.dedup_key.startswith(f"invite:campaign:{campaign.id}:juror:") for m in mails)
    assert "Appel France Travail" in mails[0].subject

    # Inviting again sends nothing new.
    before = snapshot()
    response = post(
        client,
        url(campaign, "/jury/invitations"),
        {"jury-emails": "jure.un@beta.gouv.fr"},
        follow_redirects=True,
    )
    assert "Déjà invités" in response.get_data(as_text=True)
    assert snapshot() == before

    page = client.get(url(campaign, "/jury")).get_data(as_text=True)
    assert "jure.un@beta.gouv.fr" in page and "Invitation envoyée" in page


def test_bad_juror_addresses_are_refused(client: FlaskClient, organiser: User, campaign: Campaign):
    login(client, organiser)
    before = snapshot()
    response = post(
        client, url(campaign, "/jury/invitations"), {"jury-emails": "ok@beta.gouv.fr\nnon@"}
    )
    assert response.status_code == 200
    assert any("« non@ »" in e for e in error_texts(response.get_data(as_text=True)))
    response = post(client, url(campaign, "/jury/invitations"), {"jury-emails": ""})
    assert response.status_code == 200
    assert snapshot() == before


def test_a_juror_is_removed_unless_they_have_work(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    juror = make_user("jure@beta.gouv.fr")
    membership = add_member(campaign, juror, Role.JUROR)
    busy = make_user("occupe@beta.gouv.fr")
    busy_membership = add_member(campaign, busy, Role.JUROR)
    agent = make_user("agent@francetravail.fr")
    proposal = Proposal(campaign_id=campaign.id, submitter_id=agent.id, status="submitted")
    db.session.add(proposal)
    db.session.flush()
    db.session.add(Review(campaign_id=campaign.id, proposal_id=proposal.id, juror_id=busy.id))
    db.session.commit()
    login(client, organiser)
    before = snapshot()
    response = post(
        client, url(campaign, f"/jury/{busy_membership.id}/retirer"), follow_redirects=True
    )
    assert "retirez d’abord" in response.get_data(as_text=True)
    assert snapshot() == before
    assert post(client, url(campaign, f"/jury/{membership.id}/retirer")).status_code == 302
    assert db.session.get(Membership, membership.id) is None
    assert "campaign.juror_removed" in audit_actions(campaign)
    assert post(client, url(campaign, "/jury/999999/retirer")).status_code == 404


def test_organisers_invite_co_organisers_but_cannot_remove_themselves(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    login(client, organiser)
    assert (
        post(
            client, url(campaign, "/organisateurs"), {"org-emails": "co@francetravail.fr"}
        ).status_code
        == 302
    )
    assert db.session.scalar(
        select(Membership.id).where(
            Membership.email == "co@francetravail.fr", Membership.role == "organiser"
        )
    )
    mine = db.session.scalar(select(Membership).where(Membership.user_id == organiser.id))
    before = snapshot()
    response = post(
        client, url(campaign, f"/organisateurs/{mine.id}/retirer"), follow_redirects=True
    )
    assert "vous retirer vous-même" in response.get_data(as_text=True)
    assert snapshot() == before


# ---------------------------------------------------------------- public pages ---------------


def test_the_public_page_shows_the_call_safely_with_paris_dates_and_domains(client: FlaskClient):
    deadline = datetime(2031, 1, 15, 16, 59)  # 17:59 in Paris (winter)
    campaign = make_campaign(
        "Appel public",
        status="open",
        call_text="## Pourquoi\n\n<script>alert(1)</script> [piège](javascript:alert(1)) **Venez**",
        allowed_domains="francetravail.fr,pole-emploi.fr",
        deadline_at=deadline,
    )
    page = client.get(f"/campagnes/{campaign.slug}").get_data(as_text=True)
    assert "<h2>Pourquoi</h2>" in page and "<strong>Venez</strong>" in page
    assert "<script>alert(1)</script>" not in page and 'href="javascript' not in page
    assert "15 janvier 2031 à 17:59" in page
    assert "@francetravail.fr" in page and "@pole-emploi.fr" in page


def test_drafts_are_not_public_but_their_organisers_preview_them(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    assert client.get(f"/campagnes/{campaign.slug}").status_code == 404
    login(client, make_user("curieux@francetravail.fr"))
    assert client.get(f"/campagnes/{campaign.slug}").status_code == 404
    login(client, organiser)
    page = client.get(f"/campagnes/{campaign.slug}").get_data(as_text=True)
    assert 'data-testid="draft-preview"' in page
    assert client.get("/campagnes/inconnue").status_code == 404


def test_the_propose_button_appears_only_when_submissions_are_accepted(tmp_path, sqlite_template):
    import shutil

    from tests.conftest import make_app

    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy(sqlite_template, instance / "challenge.sqlite3")
    application = make_app(instance)
    if "proposals.new_proposal" not in application.view_functions:
        application.add_url_rule(
            "/campagnes/<slug>/proposer-test",
            endpoint="proposals.new_proposal",
            view_func=lambda slug: slug,
        )
    with application.app_context():
        live = make_campaign("Ouvert", status="open")
        over = make_campaign("Échu", status="open", deadline_at=utcnow() - timedelta(minutes=1))
        closed = make_campaign("Clos", status="review")
        client = application.test_client()
        assert 'data-testid="propose"' in client.get(f"/campagnes/{live.slug}").get_data(
            as_text=True
        )
        for campaign in (over, closed):
            assert 'data-testid="propose"' not in client.get(
                f"/campagnes/{campaign.slug}"
            ).get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_home_cards_link_to_the_public_page(client: FlaskClient):
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="empty-campaigns"' in page
    campaign = make_campaign("Appel en cours", status="open")
    page = client.get("/").get_data(as_text=True)
    assert f'href="/campagnes/{campaign.slug}"' in page
