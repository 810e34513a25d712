"""The organiser dashboard and the audit log: right figures, from aggregates, in a fixed number
of queries whatever the number of proposals or events."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from challenge.accounts.models import Membership, Role, User
from challenge.audit import service as audit
from challenge.audit.models import AuditEvent
from challenge.campaigns.models import Campaign
from challenge.campaigns.queries.audit_log import AUDIT_PAGE_SIZE, AuditFilters, audit_log
from challenge.campaigns.queries.dashboard import dashboard
from challenge.campaigns.service.transitions import advance_due_campaigns
from challenge.extensions import db
from challenge.jury.models import Review, ReviewAssignment
from challenge.proposals.models import Proposal, Support
from tests.campaigns.builders import (
    add_member,
    count_queries,
    login,
    make_campaign,
    make_user,
    post,
)

OPENS = datetime(2026, 1, 5, 8, 0)  # UTC
DEADLINE = datetime(2026, 2, 5, 17, 0)
NOW = datetime(2026, 1, 20, 12, 0)


@pytest.fixture
def organiser(app: Flask) -> User:
    return make_user("orga@francetravail.fr")


@pytest.fixture
def campaign(app: Flask, organiser: User) -> Campaign:
    campaign = make_campaign("Tableau de bord", status="open", opens_at=OPENS, deadline_at=DEADLINE)
    add_member(campaign, organiser, Role.ORGANISER)
    return campaign


def table_rows(page: str, testid: str) -> list[list[str]]:
    table = re.search(rf'data-testid="{testid}".*?</table>', page, re.S)
    assert table, testid
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), re.S)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in rows
    ][1:]  # without the header


def add_proposals(campaign: Campaign, submitter: User, rows: list[dict]) -> None:
    db.session.execute(
        insert(Proposal),
        [
            {"campaign_id": campaign.id, "submitter_id": submitter.id, "version": 1, **row}
            for row in rows
        ],
    )
    db.session.commit()


def test_the_dashboard_shows_the_figures_of_the_campaign(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    agent = make_user("agent@francetravail.fr")
    add_proposals(
        campaign,
        agent,
        [
            # 23:30 UTC on the 10th is 00:30 on the 11th in Paris.
            {
                "status": "submitted",
                "submitted_at": datetime(2026, 1, 10, 23, 30),
                "administration": "France Travail",
                "region": "Bretagne",
            },
            {
                "status": "submitted",
                "submitted_at": datetime(2026, 1, 11, 9, 0),
                "administration": "France Travail",
                "region": "Bretagne",
            },
            {
                "status": "submitted",
                "submitted_at": datetime(2026, 1, 13, 9, 0),
                "administration": "DGFiP",
                "region": "Occitanie",
            },
            {
                "status": "laureate",
                "submitted_at": datetime(2026, 1, 13, 10, 0),
                "administration": "DGFiP",
                "region": "",
            },
            {
                "status": "withdrawn",
                "submitted_at": datetime(2026, 1, 12, 10, 0),
                "administration": "Urssaf",
                "region": "Corse",
            },
            {"status": "draft", "administration": "Urssaf"},
            {"status": "draft", "administration": "Urssaf"},
        ],
    )
    proposals = db.session.scalars(select(Proposal.id).order_by(Proposal.id)).all()
    juror = make_user("jure@beta.gouv.fr", first_name="Alix", last_name="Durand")
    add_member(campaign, juror, Role.JUROR)
    db.session.add(Membership(campaign_id=campaign.id, email="absent@beta.gouv.fr", role="juror"))
    for index, proposal_id in enumerate(proposals[:4]):
        db.session.add(
            ReviewAssignment(
                campaign_id=campaign.id,
                proposal_id=proposal_id,
                juror_id=juror.id,
                state="removed" if index == 3 else "active",
            )
        )
    for proposal_id, status in zip(proposals[:3], ("submitted", "submitted", "draft"), strict=True):
        db.session.add(
            Review(
                campaign_id=campaign.id, proposal_id=proposal_id, juror_id=juror.id, status=status
            )
        )
    db.session.add(Support(proposal_id=proposals[0], user_id=organiser.id))
    db.session.add(Support(proposal_id=proposals[1], user_id=organiser.id))
    db.session.commit()

    data = dashboard(campaign, NOW)
    assert dict(data.by_status) == {
        "draft": 2,
        "submitted": 3,
        "withdrawn": 1,
        "shortlisted": 0,
        "not_retained": 0,
        "laureate": 1,
        "mention": 0,
    }
    assert data.total == 7 and data.in_competition == 4
    per_day = dict(data.per_day)
    assert per_day[datetime(2026, 1, 10).date()] == 0
    assert per_day[datetime(2026, 1, 11).date()] == 2
    assert per_day[datetime(2026, 1, 12).date()] == 0  # the withdrawn one does not count
    assert per_day[datetime(2026, 1, 13).date()] == 2
    assert data.per_day[0][0] == datetime(2026, 1, 5).date()  # from the opening
    assert data.per_day[-1][0] == datetime(2026, 1, 20).date()  # to today
    assert data.by_administration == [("DGFiP", 2), ("France Travail", 2)]
    assert data.by_region == [("Bretagne", 2), ("", 1), ("Occitanie", 1)]
    assert [(j.email, j.assigned, j.submitted, j.active) for j in data.jurors] == [
        ("absent@beta.gouv.fr", 0, 0, False),
        ("jure@beta.gouv.fr", 3, 2, True),
    ]
    assert data.supports == 2
    assert data.next_step.target == "review" and data.next_step.at == DEADLINE

    login(client, organiser)
    page = client.get(f"/organisation/campagnes/{campaign.id}").get_data(as_text=True)
    assert ["Déposées", "3"] in table_rows(page, "by-status")
    assert ["Total", "7"] in table_rows(page, "by-status")
    assert ["DGFiP", "2"] in table_rows(page, "by-administration")
    assert ["Non renseigné", "1"] in table_rows(page, "by-region")
    assert ["Alix Durand", "2", "3", "67 %"] in table_rows(page, "jurors-progress")
    assert '<svg viewBox="0 0 720 240"' in page and 'role="img"' in page
    assert ["11/01/2026", "2"] in table_rows(page, "per-day-table")
    assert "5 février 2026 à 18:00" in page  # the deadline, in Paris time, in the timeline
    assert "passera d’elle-même à l’étape « Évaluation en cours »" in page


def test_an_empty_campaign_has_an_empty_dashboard(client: FlaskClient, organiser: User):
    draft = make_campaign("Vide", ready=False)
    add_member(draft, organiser, Role.ORGANISER)
    login(client, organiser)
    page = client.get(f"/organisation/campagnes/{draft.id}").get_data(as_text=True)
    assert 'data-testid="per-day-empty"' in page
    assert "Aucun juré invité." in page


def cold_start(client: FlaskClient, user: User) -> None:
    """Requests share the test's session: forget what it holds, as a new request would."""
    db.session.commit()
    db.session.expire_all()
    login(client, user)


def populate(campaign: Campaign, submitter: User, count: int, start: int = 0) -> None:
    """``count`` proposals over 30 administrations, every region, 20 days, all statuses."""
    statuses = (
        "submitted",
        "submitted",
        "submitted",
        "draft",
        "withdrawn",
        "shortlisted",
        "laureate",
    )
    regions = ("Bretagne", "Corse", "Grand Est", "Occitanie", "")
    rows = []
    for i in range(start, start + count):
        status = statuses[i % len(statuses)]
        rows.append(
            {
                "campaign_id": campaign.id,
                "submitter_id": submitter.id,
                "version": 1,
                "status": status,
                "title": f"Proposition {i}",
                "administration": f"Administration {i % 30}",
                "region": regions[i % len(regions)],
                "submitted_at": None
                if status == "draft"
                else OPENS + timedelta(hours=(i * 7) % (20 * 24)),
            }
        )
    for chunk in range(0, len(rows), 2000):
        db.session.execute(insert(Proposal), rows[chunk : chunk + 2000])
    db.session.commit()
    proposal_ids = db.session.scalars(
        select(Proposal.id)
        .where(Proposal.campaign_id == campaign.id)
        .order_by(Proposal.id.desc())
        .limit(count)
    ).all()
    db.session.execute(
        insert(Support),
        [{"proposal_id": pid, "user_id": submitter.id} for pid in proposal_ids[::3]],
    )
    db.session.commit()


def test_the_dashboard_needs_the_same_queries_for_10_and_10000_proposals(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    agent = make_user("agent@francetravail.fr")
    for n in range(3):
        juror = make_user(f"jure{n}@beta.gouv.fr")
        add_member(campaign, juror, Role.JUROR)
    login(client, organiser)
    url = f"/organisation/campagnes/{campaign.id}"

    populate(campaign, agent, 10)
    client.get(url)  # warm caches (templates, translations)
    cold_start(client, organiser)
    with count_queries() as small:
        assert client.get(url).status_code == 200

    populate(campaign, agent, 9990, start=10)
    assert db.session.scalar(select(db.func.count(Proposal.id))) == 10000
    cold_start(client, organiser)
    with count_queries() as large:
        page = client.get(url).get_data(as_text=True)

    print(f"\ndashboard queries: {small.count} for 10 proposals, {large.count} for 10,000")
    assert small.count == large.count
    assert small.count <= 15
    assert len(table_rows(page, "by-administration")) == 21  # the top 20 and "Autres"


# ---------------------------------------------------------------- audit log ------------------


def test_the_audit_log_is_filtered_by_action_person_and_date(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    other = make_user("autre.orga@francetravail.fr")
    add_member(campaign, other, Role.ORGANISER)
    old = AuditEvent(
        action="campaign.settings_updated",
        actor_id=other.id,
        actor_label=other.email,
        campaign_id=campaign.id,
        at=datetime(2026, 1, 1, 10, 0),
        details={"changes": {"title": ["A", "B"]}},
    )
    db.session.add(old)
    db.session.commit()
    login(client, organiser)
    post(
        client,
        f"/organisation/campagnes/{campaign.id}/jury/invitations",
        {"jury-emails": "j1@beta.gouv.fr\nj2@beta.gouv.fr"},
    )
    advance_due_campaigns(DEADLINE + timedelta(minutes=1))  # the system moves it
    url = f"/organisation/campagnes/{campaign.id}/journal"

    page = client.get(url).get_data(as_text=True)
    rows = table_rows(page, "audit-events")
    assert len(rows) == 4
    assert rows[0][1] == "Système" and rows[0][2] == "Changement d’étape"
    assert "Ouvert → Évaluation en cours" in rows[0][3]
    assert rows[-1][2] == "Paramètres modifiés" and "Titre : A → B" in rows[-1][3]

    rows = table_rows(
        client.get(url + "?action=campaign.juror_invited").get_data(as_text=True), "audit-events"
    )
    assert [r[2] for r in rows] == ["Juré invité", "Juré invité"]
    rows = table_rows(
        client.get(url + f"?actor={other.email}").get_data(as_text=True), "audit-events"
    )
    assert len(rows) == 1 and rows[0][1] == other.email
    rows = table_rows(
        client.get(url + "?start=2025-12-31&end=2026-01-01").get_data(as_text=True), "audit-events"
    )
    assert len(rows) == 1
    # A bad date is shown as an error and ignored; the page still answers.
    for query in (
        "?start=hier&page=abc",
        "?start=0001-01-01&end=9999-12-31&page=99999999999999999999",
    ):
        response = client.get(url + query)
        assert response.status_code == 200 and "fr-error-text" in response.get_data(as_text=True)


def test_the_audit_log_is_paginated_with_a_fixed_number_of_queries(
    client: FlaskClient, organiser: User, campaign: Campaign
):
    login(client, organiser)
    url = f"/organisation/campagnes/{campaign.id}/journal"

    def add_events(count: int) -> None:
        db.session.execute(
            insert(AuditEvent),
            [
                {
                    "action": "campaign.settings_updated",
                    "actor_label": "x@y.fr",
                    "campaign_id": campaign.id,
                    "target_type": "",
                    "details": {"changes": {"title": [str(i), str(i + 1)]}},
                    "at": DEADLINE,
                }
                for i in range(count)
            ],
        )
        db.session.commit()

    add_events(10)
    client.get(url)
    cold_start(client, organiser)
    with count_queries() as small:
        client.get(url)
    add_events(2000)
    cold_start(client, organiser)
    with count_queries() as large:
        page = client.get(url + "?page=3").get_data(as_text=True)
    assert small.count == large.count
    assert len(table_rows(page, "audit-events")) == AUDIT_PAGE_SIZE
    assert 'data-testid="audit-pagination"' in page and 'aria-current="page" title="Page 3"' in page
    last = client.get(url + "?page=9999").get_data(as_text=True)
    assert len(table_rows(last, "audit-events")) == 2010 % AUDIT_PAGE_SIZE
    assert audit  # the module writes the events the page reads


@pytest.mark.postgres
def test_the_dashboard_figures_are_the_same_on_postgresql(pg_app: Flask):
    campaign = make_campaign("PostgreSQL", status="open", opens_at=OPENS, deadline_at=DEADLINE)
    agent = make_user("agent@francetravail.fr")
    juror = make_user("jure@beta.gouv.fr")
    add_member(campaign, juror, Role.JUROR)
    add_proposals(
        campaign,
        agent,
        [
            {
                "status": "submitted",
                "submitted_at": datetime(2026, 1, 10, 23, 30),
                "administration": "A",
                "region": "Corse",
            },
            {
                "status": "submitted",
                "submitted_at": datetime(2026, 1, 11, 9, 0),
                "administration": "A",
                "region": "",
            },
            {"status": "draft", "administration": "B"},
        ],
    )
    first = db.session.scalar(select(Proposal.id).order_by(Proposal.id))
    db.session.add(ReviewAssignment(campaign_id=campaign.id, proposal_id=first, juror_id=juror.id))
    db.session.add(
        Review(campaign_id=campaign.id, proposal_id=first, juror_id=juror.id, status="submitted")
    )
    db.session.commit()
    data = dashboard(campaign, NOW)
    assert dict(data.per_day)[datetime(2026, 1, 11).date()] == 2
    assert data.by_administration == [("A", 2)]
    assert data.by_region == [("", 1), ("Corse", 1)]
    assert [(j.assigned, j.submitted) for j in data.jurors] == [(1, 1)]
    page = audit_log(campaign, AuditFilters(action="campaign.created"))
    assert page.total == 0 and page.pages == 1
