"""List pages issue the same number of queries for 10 rows as for 200 (no N+1)."""

from __future__ import annotations

from flask import Flask

from challenge.extensions import db
from challenge.jury.models import Review, ShortlistDecision
from challenge.proposals.models import Support
from tests.proposals.builders import (  # noqa: F401
    client_for,
    count_queries,
    make_campaign,
    make_proposal,
    make_user,
    one_user_per_request,
)

STATUSES = ("draft", "submitted", "withdrawn", "shortlisted", "not_retained", "laureate")
CAMPAIGN_STATUSES = ("open", "review", "pitch", "results")


def queries_of(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)  # warm up (first request of the session)
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def my_proposals_queries(app: Flask, rows: int, prefix: str) -> int:
    agent = make_user(f"{prefix}@francetravail.fr")
    juror = make_user(f"jury-{prefix}@francetravail.fr")
    campaigns = [
        make_campaign(f"{prefix}-{status}", status=status, deadline_in=None)
        for status in CAMPAIGN_STATUSES
    ]
    for n in range(rows):
        campaign = campaigns[n % len(campaigns)]
        proposal = make_proposal(
            agent,
            campaign,
            status=STATUSES[n % len(STATUSES)],
            title=f"Proposition {n}",
            coauthors=(f"co{n}-{prefix}@francetravail.fr",),
        )
        db.session.add(
            Review(
                campaign_id=campaign.id,
                proposal_id=proposal.id,
                juror_id=juror.id,
                status="submitted",
                message_for_agent=f"Message {n}",
            )
        )
        db.session.add(
            ShortlistDecision(campaign_id=campaign.id, proposal_id=proposal.id, selected=n % 2 == 0)
        )
    db.session.commit()
    client = client_for(app, agent)
    page = client.get("/mes-propositions").get_data(as_text=True)
    assert page.count("data-proposal-id=") == rows
    return queries_of(client, "/mes-propositions")


def test_mes_propositions_query_count_does_not_grow_with_rows(app: Flask) -> None:
    small = my_proposals_queries(app, 10, "petit")
    large = my_proposals_queries(app, 200, "grand")
    print(f"/mes-propositions: {small} queries for 10 proposals, {large} for 200")
    assert small == large
    assert small <= 8


def moi_aussi_queries(app: Flask, rows: int, slug: str) -> int:
    campaign = make_campaign(slug)
    author = make_user(f"auteur-{slug}@francetravail.fr")
    reader = make_user(f"lecteur-{slug}@francetravail.fr")
    for n in range(rows):
        proposal = make_proposal(author, campaign, status="submitted", title=f"Irritant {n}")
        if n % 3 == 0:
            db.session.add(
                Support(proposal_id=proposal.id, user_id=reader.id, testimony="moi aussi")
            )
    db.session.commit()
    return queries_of(client_for(app, reader), f"/campagnes/{slug}/moi-aussi")


def test_moi_aussi_query_count_does_not_grow_with_rows(app: Flask) -> None:
    small = moi_aussi_queries(app, 10, "petit")
    large = moi_aussi_queries(app, 200, "grand")
    print(f"/moi-aussi: {small} queries for 10 irritants, {large} for 200")
    assert small == large
    assert small <= 6
