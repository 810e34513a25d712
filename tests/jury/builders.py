"""Builders of jury data straight from the models, shared by the jury tests (no tests here).

Import with ``from tests.jury.builders import ...``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from challenge.accounts.models import Membership, Role, User
from challenge.campaigns.models import Campaign, Criterion
from challenge.extensions import db
from challenge.jury.models import Conflict, ReviewAssignment
from challenge.proposals.models import Proposal, Support
from challenge.timeutils import utcnow
from tests import factories
from tests.factories import add_review, csrf_token, make_proposal, sign_in  # noqa: F401  (for the jury tests)

# The tests share one session with the requests: every measure starts from a cold identity map.
count_queries = partial(factories.count_queries, cold=True)


def make_user(
    email: str, first: str = "", last: str = "", administration: str = "", is_admin: bool = False
) -> User:
    return factories.make_user(
        email,
        first_name=first or email.split("@")[0].capitalize(),
        last_name=last or "Test",
        administration=administration,
        is_admin=is_admin,
    )


def make_campaign(
    slug: str = "jury-test",
    *,
    status: str = "review",
    reviews_per_proposal: int = 2,
    blind: bool = False,
    visibility: str = "after_own",
    same_admin: bool = True,
    ends_in: timedelta | None = timedelta(days=10),
    criteria: Iterable[tuple[str, float]] = (("Impact", 2.0), ("Faisabilité", 1.0)),
    scale: tuple[int, int] = (0, 4),
) -> Campaign:
    campaign = factories.make_campaign(
        slug=slug,
        title=f"Campagne {slug}",
        administration="France Travail",
        status=status,
        reviews_per_proposal=reviews_per_proposal,
        blind_review=blind,
        scores_visibility=visibility,
        same_administration_conflict=same_admin,
        review_ends_at=utcnow() + ends_in if ends_in is not None else None,
        deadline_at=utcnow() - timedelta(days=1),
    )
    factories.add_grid(
        campaign, "review", criteria, scale=scale, description="Description de {label}"
    )
    return campaign


def review_criteria(campaign: Campaign) -> list[Criterion]:
    return sorted(
        (c for c in db.session.query(Criterion).filter_by(campaign_id=campaign.id, grid="review")),
        key=lambda c: c.position,
    )


def add_role(campaign: Campaign, user: User, role: str = Role.JUROR.value) -> Membership:
    return factories.add_member(campaign, user, role)


def assign(
    campaign: Campaign,
    proposal: Proposal,
    juror: User,
    *,
    pinned: bool = False,
    state: str = "active",
    notified: bool = True,
) -> ReviewAssignment:
    row = ReviewAssignment(
        campaign_id=campaign.id,
        proposal_id=proposal.id,
        juror_id=juror.id,
        pinned=pinned,
        state=state,
        notified_at=utcnow() if notified else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def declare(
    campaign: Campaign, juror: User, *, proposal: Proposal | None = None, administration=None
) -> Conflict:
    conflict = Conflict(
        campaign_id=campaign.id,
        juror_id=juror.id,
        proposal_id=proposal.id if proposal else None,
        administration=administration,
        source="declared",
    )
    db.session.add(conflict)
    db.session.flush()
    return conflict


def add_supports(proposal: Proposal, users: Iterable[User]) -> None:
    for user in users:
        db.session.add(Support(proposal_id=proposal.id, user_id=user.id))
    db.session.flush()
