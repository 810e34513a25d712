"""Builders of jury data straight from the models, shared by the jury tests (no tests here).

Import with ``from tests.integration.test_jury_factories import ...``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta

from flask import g
from flask.testing import FlaskClient
from sqlalchemy import event

from challenge.accounts.models import Membership, Role, User
from challenge.campaigns.models import Campaign, Criterion
from challenge.extensions import db
from challenge.jury.models import Conflict, Review, ReviewAssignment, ReviewScore
from challenge.proposals.models import AuthorRole, Proposal, ProposalAuthor, Support
from challenge.timeutils import utcnow


def make_user(
    email: str, first: str = "", last: str = "", administration: str = "", is_admin: bool = False
) -> User:
    user = User(
        email=email,
        first_name=first or email.split("@")[0].capitalize(),
        last_name=last or "Test",
        administration=administration,
        is_admin=is_admin,
    )
    db.session.add(user)
    db.session.flush()
    return user


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
    campaign = Campaign(
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
    db.session.add(campaign)
    db.session.flush()
    low, high = scale
    for position, (label, weight) in enumerate(criteria):
        db.session.add(
            Criterion(
                campaign_id=campaign.id,
                grid="review",
                position=position,
                label=label,
                description=f"Description de {label}",
                weight=weight,
                scale_min=low,
                scale_max=high,
                level_descriptions=[f"{label} niveau {level}" for level in range(low, high + 1)],
            )
        )
    db.session.flush()
    return campaign


def review_criteria(campaign: Campaign) -> list[Criterion]:
    return sorted(
        (c for c in db.session.query(Criterion).filter_by(campaign_id=campaign.id, grid="review")),
        key=lambda c: c.position,
    )


def add_role(campaign: Campaign, user: User, role: str = Role.JUROR.value) -> Membership:
    membership = Membership(
        campaign_id=campaign.id, email=user.email, user_id=user.id, role=role, joined_at=utcnow()
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def make_proposal(
    campaign: Campaign,
    submitter: User,
    title: str,
    *,
    administration: str = "",
    status: str = "submitted",
    coauthors: Iterable[str] = (),
    **fields: str,
) -> Proposal:
    proposal = Proposal(
        campaign_id=campaign.id,
        submitter_id=submitter.id,
        title=title,
        administration=administration,
        status=status,
        irritant=fields.pop("irritant", f"L’irritant de {title}"),
        solution=fields.pop("solution", f"La solution de {title}"),
        submitted_at=utcnow() if status != "draft" else None,
        **fields,
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


def add_review(
    campaign: Campaign,
    proposal: Proposal,
    juror: User,
    scores: Mapping[Criterion, float],
    *,
    status: str = "submitted",
    comment: str = "",
    phase: str = "written",
) -> Review:
    review = Review(
        campaign_id=campaign.id,
        proposal_id=proposal.id,
        juror_id=juror.id,
        phase=phase,
        status=status,
        comment_for_jury=comment,
        submitted_at=utcnow() if status == "submitted" else None,
    )
    db.session.add(review)
    db.session.flush()
    for criterion, value in scores.items():
        db.session.add(ReviewScore(review_id=review.id, criterion_id=criterion.id, score=value))
    db.session.flush()
    return review


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


def sign_in(client: FlaskClient, user: User) -> None:
    """Sign ``user`` in on this test client (the Flask-Login session keys).

    The tests' app context outlives requests, so Flask-Login's per-context cache is cleared too.
    """
    g.pop("_login_user", None)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the form on the page at ``url``."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', response.text
    ) or re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect every SQL statement run inside the block.

    The tests share one session with the requests: it is emptied first, so that every measure
    starts from the same (cold) identity map.
    """
    statements: list[str] = []
    db.session.expire_all()

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
