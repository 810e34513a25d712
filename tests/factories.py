"""Rows written straight through the models, and the test client's plumbing, for every domain's
tests (no tests here). ``tests/`` is on ``sys.path`` (the root conftest lives there), so any test
module imports them with ``from factories import ...``.

These write what they are given and nothing more: each domain's helpers (``test_*_helpers``,
``test_*_factory``) keep the defaults their tests were written with and call these.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta

from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event

from challenge.accounts.models import Membership, Role, User
from challenge.campaigns.models import Campaign, Criterion
from challenge.extensions import db
from challenge.jury.models import Review, ReviewScore
from challenge.proposals.models import AuthorRole, Proposal, ProposalAuthor
from challenge.timeutils import utcnow
from tests.conftest import csrf_token_in


def _save(commit: bool) -> None:
    if commit:
        db.session.commit()
    else:
        db.session.flush()


# ---------------------------------------------------------------- rows -----------------------


def make_user(email: str, *, commit: bool = False, **fields: object) -> User:
    user = User(email=email, **fields)
    db.session.add(user)
    _save(commit)
    return user


def make_campaign(*, commit: bool = False, **fields: object) -> Campaign:
    campaign = Campaign(**fields)
    db.session.add(campaign)
    _save(commit)
    return campaign


def add_member(
    campaign: Campaign,
    user: User,
    role: Role | str,
    *,
    joined: bool = True,
    commit: bool = False,
) -> Membership:
    """``user`` in the campaign's organisers or jury (``joined``: the invitation is accepted)."""
    membership = Membership(
        campaign_id=campaign.id,
        email=user.email,
        user_id=user.id,
        role=str(role),
        joined_at=utcnow() if joined else None,
    )
    db.session.add(membership)
    _save(commit)
    return membership


def add_grid(
    campaign: Campaign,
    grid: str,
    criteria: Iterable[tuple[str, float]],
    *,
    scale: tuple[int, int] = (0, 4),
    description: str = "",
    levels: str = "{label} niveau {level}",
) -> list[Criterion]:
    """The criteria ``(label, weight)`` of one grid, in order. ``description`` and ``levels``
    are templates on ``{label}`` (and ``{level}``, from the low end of the scale to its top)."""
    low, high = scale
    rows = [
        Criterion(
            campaign_id=campaign.id,
            grid=grid,
            position=position,
            label=label,
            description=description.format(label=label),
            weight=weight,
            scale_min=low,
            scale_max=high,
            level_descriptions=[
                levels.format(label=label, level=level) for level in range(low, high + 1)
            ],
        )
        for position, (label, weight) in enumerate(criteria)
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def make_proposal(
    campaign: Campaign,
    submitter: User,
    title: str,
    *,
    status: str = "submitted",
    administration: str = "",
    coauthors: Iterable[str] = (),
    submitted_ago: timedelta = timedelta(0),
    **fields: object,
) -> Proposal:
    """A proposal and its authors: ``submitter``, then each co-author invited by e-mail.

    Unless a draft, it was sent ``submitted_ago``; its irritant and solution say whose they are
    unless given."""
    fields.setdefault("irritant", f"L’irritant de {title}")
    fields.setdefault("solution", f"La solution de {title}")
    proposal = Proposal(
        campaign_id=campaign.id,
        submitter_id=submitter.id,
        title=title,
        status=status,
        administration=administration,
        submitted_at=utcnow() - submitted_ago if status != "draft" else None,
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


def add_review(
    campaign: Campaign,
    proposal: Proposal,
    juror: User,
    scores: Mapping[Criterion, float],
    *,
    phase: str = "written",
    status: str = "submitted",
    comment: str = "",
    message: str = "",
    submitted_ago: timedelta = timedelta(0),
) -> Review:
    """A review with a score per criterion; a submitted one was sent ``submitted_ago``."""
    review = Review(
        campaign_id=campaign.id,
        proposal_id=proposal.id,
        juror_id=juror.id,
        phase=phase,
        status=status,
        comment_for_jury=comment,
        message_for_agent=message,
        submitted_at=utcnow() - submitted_ago if status == "submitted" else None,
    )
    db.session.add(review)
    db.session.flush()
    for criterion, value in scores.items():
        db.session.add(ReviewScore(review_id=review.id, criterion_id=criterion.id, score=value))
    db.session.flush()
    return review


# ---------------------------------------------------------------- the test client ------------


def sign_in(client: FlaskClient, user: User | None, *, clear: bool = False) -> FlaskClient:
    """Sign ``user`` in on this test client by Flask-Login's session keys (the real sign-in by
    e-mail link is tested on its own). ``clear``: the rest of the session goes first (and
    ``None`` then signs out).

    The tests' app context outlives requests, and Flask-Login caches the user on its ``g``:
    that cache is forgotten too."""
    if has_app_context():
        g.pop("_login_user", None)
    with client.session_transaction() as session:
        if clear:
            session.clear()
        if user is not None:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
    return client


def csrf_token(client: FlaskClient, url: str = "/") -> str:
    """The CSRF token of the forms of the page at ``url`` (every form of a page has the same)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return csrf_token_in(response.get_data(as_text=True))


@contextmanager
def count_queries(*, cold: bool = False) -> Iterator[list[str]]:
    """Every SQL statement run inside the block.

    ``cold``: the tests share one session with the requests, so it is emptied first and every
    measure starts from the same (cold) identity map.
    """
    statements: list[str] = []
    if cold:
        db.session.expire_all()

    def listener(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)
