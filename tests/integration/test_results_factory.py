"""Builders of pitch-day and results data straight from the models (no tests here).

Shared by the results tests: ``from test_results_factory import ...``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import event

from challenge.accounts.models import Membership, Role, User
from challenge.campaigns.models import Campaign, Criterion
from challenge.extensions import db
from challenge.jury.models import Review, ReviewScore, ShortlistDecision
from challenge.proposals.models import AuthorRole, Proposal, ProposalAuthor
from challenge.timeutils import utcnow


def make_user(email: str, first: str = "", last: str = "Test", **fields: object) -> User:
    user = User(
        email=email,
        first_name=first if first is not None else "",
        last_name=last,
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


def add_role(campaign: Campaign, user: User, role: str) -> None:
    db.session.add(
        Membership(
            campaign_id=campaign.id,
            email=user.email,
            user_id=user.id,
            role=role,
            joined_at=utcnow(),
        )
    )
    db.session.flush()


def add_grid(campaign: Campaign, grid: str, labels: tuple[str, ...]) -> list[Criterion]:
    criteria = []
    for position, label in enumerate(labels):
        criterion = Criterion(
            campaign_id=campaign.id,
            grid=grid,
            position=position,
            label=label,
            description=f"{label} : ce que le jury regarde",
            weight=1.0,
            scale_min=0,
            scale_max=4,
            level_descriptions=[f"{label} niveau {n}" for n in range(5)],
        )
        db.session.add(criterion)
        criteria.append(criterion)
    db.session.flush()
    return criteria


def make_proposal(
    campaign: Campaign,
    submitter: User,
    title: str,
    *,
    status: str = "submitted",
    administration: str = "France Travail",
    coauthors: tuple[str, ...] = (),
) -> Proposal:
    proposal = Proposal(
        campaign_id=campaign.id,
        submitter_id=submitter.id,
        title=title,
        status=status,
        administration=administration,
        irritant=f"L’irritant de « {title} » coûte des heures chaque semaine.",
        solution=f"La solution de « {title} ».",
        submitted_at=utcnow() - timedelta(days=20),
    )
    db.session.add(proposal)
    db.session.flush()
    db.session.add(
        ProposalAuthor(
            proposal_id=proposal.id,
            email=submitter.email,
            user_id=submitter.id,
            role=AuthorRole.SUBMITTER.value,
        )
    )
    for email in coauthors:
        db.session.add(
            ProposalAuthor(proposal_id=proposal.id, email=email, role=AuthorRole.COAUTHOR.value)
        )
    db.session.flush()
    return proposal


def add_review(
    proposal: Proposal,
    juror: User,
    criteria: list[Criterion],
    value: float,
    *,
    phase: str = "written",
    message: str = "",
) -> Review:
    review = Review(
        campaign_id=proposal.campaign_id,
        proposal_id=proposal.id,
        juror_id=juror.id,
        phase=phase,
        status="submitted",
        message_for_agent=message,
        submitted_at=utcnow(),
    )
    db.session.add(review)
    db.session.flush()
    for criterion in criteria:
        db.session.add(ReviewScore(review_id=review.id, criterion_id=criterion.id, score=value))
    db.session.flush()
    return review


@dataclass
class World:
    campaign: Campaign
    organiser: User
    jurors: list[User]
    agents: list[User]
    proposals: list[Proposal]  # best written score first
    shortlist: list[Proposal]
    review_grid: list[Criterion]
    pitch_grid: list[Criterion]
    others: dict[str, User] = field(default_factory=dict)


def build_world(
    *,
    status: str = "pitch",
    proposals: int = 5,
    shortlisted: int = 3,
    slug: str = "appel-2026",
    coauthor: bool = True,
) -> World:
    """A campaign with an organiser, three jurors, ``proposals`` submitted proposals (written
    scores decreasing with their index) and the first ``shortlisted`` on the pitch list."""
    campaign = Campaign(
        slug=slug,
        title=f"Appel {slug}",
        administration="France Travail",
        status=status,
        allowed_domains="francetravail.fr",
        deadline_at=utcnow() - timedelta(days=30),
        review_ends_at=utcnow() - timedelta(days=10),
        same_administration_conflict=False,
    )
    db.session.add(campaign)
    db.session.flush()
    review_grid = add_grid(campaign, "review", ("Irritant", "Impact"))
    pitch_grid = add_grid(campaign, "pitch", ("Clarté", "Conviction"))
    organiser = make_user(f"orga@{slug}.gouv.fr", "Olga", administration="DINUM")
    add_role(campaign, organiser, Role.ORGANISER.value)
    jurors = [
        make_user(f"jure{i}@{slug}.gouv.fr", f"Juré{i}", administration="DINUM") for i in range(3)
    ]
    for juror in jurors:
        add_role(campaign, juror, Role.JUROR.value)
    agents, items = [], []
    for index in range(proposals):
        prefix = "" if slug == "appel-2026" else f"{slug}."
        agent = make_user(
            f"{prefix}agent{index}@francetravail.fr",
            f"Agent{index}",
            f"Nom{index}",
            administration="France Travail",
        )
        agents.append(agent)
        coauthors = (
            (f"{prefix}coauteur{index}@francetravail.fr",) if coauthor and index == 0 else ()
        )
        proposal = make_proposal(campaign, agent, f"Proposition {index}", coauthors=coauthors)
        items.append(proposal)
        for juror in jurors:
            add_review(
                proposal,
                juror,
                review_grid,
                max(0.0, 4.0 - index * 0.5),
                message=f"Bravo pour la proposition {index}" if juror is jurors[0] else "",
            )
    shortlist = items[:shortlisted]
    for proposal in shortlist:
        db.session.add(
            ShortlistDecision(
                campaign_id=campaign.id,
                proposal_id=proposal.id,
                selected=True,
                decided_by_id=organiser.id,
            )
        )
        proposal.status = "shortlisted"
    db.session.commit()
    return World(campaign, organiser, jurors, agents, items, shortlist, review_grid, pitch_grid)


def sign_in(client: FlaskClient, user: User) -> None:
    """Sign ``user`` in on this client (use the ``isolated_client`` fixture: one context per
    request, so no user cached on ``g`` leaks from one client to the next)."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = _CSRF.search(response.get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found.group(1) or found.group(2)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Every SQL statement run inside the block (the session emptied first: a cold start)."""
    statements: list[str] = []
    db.session.expire_all()

    def listener(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)
