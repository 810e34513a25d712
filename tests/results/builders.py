"""Builders of pitch-day and results data straight from the models (no tests here).

Shared by the results tests: ``from test_results_factory import ...``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from challenge.accounts.models import Role, User
from challenge.campaigns.models import Campaign, Criterion
from challenge.extensions import db
from challenge.jury.models import Review, ShortlistDecision
from challenge.proposals.models import Proposal
from challenge.timeutils import utcnow
from tests import factories
from tests.factories import csrf_token, sign_in  # noqa: F401  (for the results tests)

# Every measure starts from a cold identity map (the tests share one session with the requests).
count_queries = partial(factories.count_queries, cold=True)


def make_user(email: str, first: str = "", last: str = "Test", **fields: object) -> User:
    return factories.make_user(
        email, first_name=first if first is not None else "", last_name=last, **fields
    )


def add_role(campaign: Campaign, user: User, role: str) -> None:
    factories.add_member(campaign, user, role)


def add_grid(campaign: Campaign, grid: str, labels: tuple[str, ...]) -> list[Criterion]:
    return factories.add_grid(
        campaign,
        grid,
        [(label, 1.0) for label in labels],
        description="{label} : ce que le jury regarde",
    )


def make_proposal(
    campaign: Campaign,
    submitter: User,
    title: str,
    *,
    status: str = "submitted",
    administration: str = "France Travail",
    coauthors: tuple[str, ...] = (),
) -> Proposal:
    return factories.make_proposal(
        campaign,
        submitter,
        title,
        status=status,
        administration=administration,
        coauthors=coauthors,
        submitted_ago=timedelta(days=20),
        irritant=f"L’irritant de « {title} » coûte des heures chaque semaine.",
        solution=f"La solution de « {title} ».",
    )


def add_review(
    proposal: Proposal,
    juror: User,
    criteria: list[Criterion],
    value: float,
    *,
    phase: str = "written",
    message: str = "",
) -> Review:
    """``value`` for every criterion of the grid."""
    return factories.add_review(
        proposal.campaign,
        proposal,
        juror,
        dict.fromkeys(criteria, value),
        phase=phase,
        message=message,
    )


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
    campaign = factories.make_campaign(
        slug=slug,
        title=f"Appel {slug}",
        administration="France Travail",
        status=status,
        allowed_domains="francetravail.fr",
        deadline_at=utcnow() - timedelta(days=30),
        review_ends_at=utcnow() - timedelta(days=10),
        same_administration_conflict=False,
    )
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
