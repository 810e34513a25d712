"""Row sources of the exports: SQL statements streamed from the database in batches.

Every statement here is read with :func:`stream` (``yield_per``: a server-side cursor on
PostgreSQL, a lazily-fetched cursor on SQLite), so memory stays flat whatever the size of the
campaign. What one reader may read is their :class:`~challenge.access.juror_view.Sight`: the
statements select the proposals and reviews it sees; the sheets keep the columns it shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import ScalarSelect, Select, and_, func, null, or_, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased

from challenge.access.juror_view import ORGANISER, Sight
from challenge.accounts.models import User
from challenge.campaigns.models import ProposalQuestion
from challenge.extensions import db
from challenge.jury.models import Review, ReviewScore, ReviewStatus
from challenge.proposals.models import (
    AuthorRole,
    Proposal,
    ProposalAuthor,
    ProposalStatus,
    Support,
)
from challenge.results.models import ResultDecision

BATCH = 1_000  # rows fetched from the database at a time

# Drafts are their authors' work in progress: no export shows them.
EXPORTED_STATUSES = tuple(s.value for s in ProposalStatus if s is not ProposalStatus.DRAFT)


@dataclass(frozen=True)
class QuestionRef:
    id: int
    label: str
    kind: str


def stream(statement: Select, batch: int = BATCH) -> Iterator[Row]:
    """The statement's rows, fetched ``batch`` at a time and never all held in memory."""
    result = db.session.execute(statement.execution_options(yield_per=batch))
    try:
        yield from result
    finally:
        result.close()


def count(statement: Select) -> int:
    """How many rows ``statement`` returns."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int(db.session.scalar(counted) or 0)


def questions(campaign_id: int) -> list[QuestionRef]:
    """The campaign's extra questions, in the form's order."""
    rows = db.session.execute(
        select(ProposalQuestion.id, ProposalQuestion.label, ProposalQuestion.kind)
        .where(ProposalQuestion.campaign_id == campaign_id)
        .order_by(ProposalQuestion.position, ProposalQuestion.id)
    )
    return [QuestionRef(r.id, r.label, r.kind) for r in rows]


def _only(column, ids: frozenset[int] | None):  # type: ignore[no-untyped-def]
    """``column IN ids`` (a false condition for an empty set), or no condition for None."""
    if ids is None:
        return None
    return column.in_(sorted(ids)) if ids else column.is_(None)


# ---------------------------------------------------------------- proposals ------------------


def _coauthor_emails() -> ScalarSelect:
    """The co-authors' e-mails of the outer query's proposal, comma-separated (a subquery)."""
    return (
        select(func.aggregate_strings(ProposalAuthor.email, ", "))
        .where(
            ProposalAuthor.proposal_id == Proposal.id,
            ProposalAuthor.role == AuthorRole.COAUTHOR.value,
        )
        .scalar_subquery()
    )


def _coauthor_names() -> ScalarSelect:
    """The names of the outer query's co-authors who have an account, comma-separated."""
    person = aliased(User)
    return (
        select(
            func.aggregate_strings(
                func.nullif(
                    func.trim(
                        func.coalesce(person.first_name, "")
                        + " "
                        + func.coalesce(person.last_name, "")
                    ),
                    "",
                ),
                ", ",
            )
        )
        .select_from(ProposalAuthor)
        .join(person, person.id == ProposalAuthor.user_id)
        .where(
            ProposalAuthor.proposal_id == Proposal.id,
            ProposalAuthor.role == AuthorRole.COAUTHOR.value,
        )
        .scalar_subquery()
    )


def proposals_statement(
    campaign_id: int, proposal_ids: frozenset[int] | None = None, *, coauthor_names: bool = False
) -> Select:
    """One row per proposal (drafts excluded), with its submitter, co-authors and supports;
    only ``proposal_ids`` when given. ``coauthor_names``: the co-authors' names too (else NULL).

    Co-authors and supports are correlated subqueries: one statement, one pass.
    """
    submitter = aliased(User)
    coauthors = _coauthor_emails()
    names = _coauthor_names() if coauthor_names else null()
    supports = (
        select(func.count(Support.id)).where(Support.proposal_id == Proposal.id).scalar_subquery()
    )
    statement = (
        select(
            Proposal.id,
            Proposal.status,
            Proposal.title,
            Proposal.irritant,
            Proposal.workaround,
            Proposal.solution,
            Proposal.impact,
            Proposal.first_users,
            Proposal.administration,
            Proposal.service,
            Proposal.region,
            Proposal.commitment_released,
            Proposal.commitment_manager_informed,
            Proposal.publish_name_consent,
            Proposal.answers,
            Proposal.created_at,
            Proposal.submitted_at,
            Proposal.withdrawn_at,
            Proposal.updated_at,
            submitter.first_name.label("submitter_first_name"),
            submitter.last_name.label("submitter_last_name"),
            submitter.email.label("submitter_email"),
            coauthors.label("coauthors"),
            names.label("coauthor_names"),
            supports.label("supports"),
        )
        .join(submitter, submitter.id == Proposal.submitter_id)
        .where(Proposal.campaign_id == campaign_id, Proposal.status.in_(EXPORTED_STATUSES))
        .order_by(Proposal.id)
    )
    only = _only(Proposal.id, proposal_ids)
    return statement if only is None else statement.where(only)


# ---------------------------------------------------------------- reviews --------------------


def reviews_statement(
    campaign_id: int, phase: str, criterion_ids: list[int], sight: Sight = ORGANISER
) -> Select:
    """One row per review (juror × proposal) of ``phase``, one column per criterion's score.

    Organisers read the submitted reviews. A juror reads their own reviews (drafts included) and,
    on the proposals where their sight shows them, the other jurors' submitted reviews; the
    reviews of conflicted jurors are left out by the caller (``sight.sees_review``).
    """
    juror = aliased(User)
    scores = [
        select(ReviewScore.score)
        .where(ReviewScore.review_id == Review.id, ReviewScore.criterion_id == criterion_id)
        .scalar_subquery()
        .label(f"criterion_{criterion_id}")
        for criterion_id in criterion_ids
    ]
    statement = (
        select(
            Review.id,
            Review.proposal_id,
            Proposal.title,
            Review.juror_id,
            juror.first_name.label("juror_first_name"),
            juror.last_name.label("juror_last_name"),
            juror.email.label("juror_email"),
            Review.status,
            Review.submitted_at,
            Review.comment_for_jury,
            Review.message_for_agent,
            *scores,
        )
        .join(Proposal, Proposal.id == Review.proposal_id)
        .join(juror, juror.id == Review.juror_id)
        .where(
            Review.campaign_id == campaign_id,
            Review.phase == phase,
            Proposal.status.in_(EXPORTED_STATUSES),
        )
        .order_by(Review.proposal_id, Review.id)
    )
    submitted = Review.status == ReviewStatus.SUBMITTED.value
    if sight.is_organiser:
        return statement.where(submitted)
    own = Review.juror_id == sight.juror_id
    others = submitted
    visible_others = _only(Review.proposal_id, sight.others_on)
    if visible_others is not None:
        others = and_(submitted, visible_others)
    statement = statement.where(or_(own, others))
    only = _only(Review.proposal_id, sight.proposal_ids)
    return statement if only is None else statement.where(only)


# ---------------------------------------------------------------- laureates ------------------


def laureates_statement(campaign_id: int, outcomes: tuple[str, ...]) -> Select:
    """The proposals with one of these final outcomes, laureates first, then by title.

    The results domain has no streaming read of its decisions: this reads ResultDecision directly.
    """
    submitter = aliased(User)
    coauthors = _coauthor_emails()
    return (
        select(
            Proposal.id,
            ResultDecision.outcome,
            ResultDecision.decided_at,
            Proposal.title,
            Proposal.irritant,
            Proposal.workaround,
            Proposal.solution,
            Proposal.impact,
            Proposal.administration,
            Proposal.service,
            Proposal.region,
            Proposal.publish_name_consent,
            submitter.first_name.label("submitter_first_name"),
            submitter.last_name.label("submitter_last_name"),
            submitter.email.label("submitter_email"),
            coauthors.label("coauthors"),
        )
        .join(ResultDecision, ResultDecision.proposal_id == Proposal.id)
        .join(submitter, submitter.id == Proposal.submitter_id)
        .where(ResultDecision.campaign_id == campaign_id, ResultDecision.outcome.in_(outcomes))
        .order_by(ResultDecision.outcome != outcomes[0], Proposal.title, Proposal.id)
    )
