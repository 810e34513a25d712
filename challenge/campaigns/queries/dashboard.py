"""The organiser's dashboard: every figure from SQL aggregates, the same queries for 10 or
10,000 proposals, and the lifecycle's next steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from challenge.access.proposals import accepts_submissions
from challenge.accounts.models import Membership, Role, User
from challenge.campaigns import charts, lifecycle
from challenge.campaigns.lifecycle import NextStep, TimelineStep
from challenge.campaigns.models import Campaign
from challenge.campaigns.queries.lifecycle import (
    TransitionOption,
    facts,
    problem_message,
    transition_options,
)
from challenge.extensions import db
from challenge.jury.models import AssignmentState, Review, ReviewAssignment
from challenge.proposals.models import IN_COMPETITION, Proposal, ProposalStatus, Support
from challenge.timeutils import utcnow

PROPOSAL_STATUS_ORDER = tuple(s.value for s in ProposalStatus)
TOP_GROUPS = 20


@dataclass(frozen=True)
class JurorProgress:
    email: str
    name: str
    active: bool
    assigned: int
    submitted: int


@dataclass(frozen=True)
class Dashboard:
    by_status: list[tuple[str, int]]
    total: int
    in_competition: int
    per_day: list[tuple[date, int]]
    chart: charts.BarChart | None
    by_administration: list[tuple[str, int]]
    by_region: list[tuple[str, int]]
    jurors: list[JurorProgress]
    reviews_assigned: int
    reviews_submitted: int
    supports: int
    timeline: list[TimelineStep]
    next_step: NextStep | None
    next_step_problems: list[str]
    options: list[TransitionOption]
    accepts_submissions: bool
    other_groups: dict[str, int] = field(default_factory=dict)


def dashboard(campaign: Campaign, now: datetime | None = None) -> Dashboard:
    now = now or utcnow()
    cid = campaign.id
    by_status = _proposals_by_status(cid)
    per_day = _submissions_per_day(campaign, now)
    by_administration = _grouped(Proposal.administration, cid)
    by_region = _grouped(Proposal.region, cid)
    jurors = _juror_progress(cid)
    current = facts(campaign, now)
    next_step = lifecycle.next_automatic_step(current)
    return Dashboard(
        by_status=[(s, by_status.get(s, 0)) for s in PROPOSAL_STATUS_ORDER],
        total=sum(by_status.values()),
        in_competition=sum(by_status.get(s, 0) for s in IN_COMPETITION),
        per_day=per_day,
        chart=charts.bar_chart([(d.strftime("%d/%m"), n) for d, n in per_day]) if per_day else None,
        by_administration=by_administration[:TOP_GROUPS],
        by_region=by_region[:TOP_GROUPS],
        jurors=jurors,
        reviews_assigned=sum(j.assigned for j in jurors),
        reviews_submitted=sum(j.submitted for j in jurors),
        supports=_supports(cid),
        timeline=lifecycle.timeline(campaign.status, current.dates),
        next_step=next_step,
        next_step_problems=[
            problem_message(p, current.dates) for p in (next_step.blocked_by if next_step else ())
        ],
        options=transition_options(campaign, current),
        accepts_submissions=accepts_submissions(campaign, now),
        other_groups={
            "administration": sum(n for _name, n in by_administration[TOP_GROUPS:]),
            "region": sum(n for _name, n in by_region[TOP_GROUPS:]),
        },
    )


def _proposals_by_status(campaign_id: int) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(Proposal.status, func.count())
            .where(Proposal.campaign_id == campaign_id)
            .group_by(Proposal.status)
        ).all()
    )


def _hour_bucket(column):  # type: ignore[no-untyped-def]
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", column)


def _submissions_per_day(campaign: Campaign, now: datetime) -> list[tuple[date, int]]:
    """Submissions per Paris day, from the opening to the deadline (or now): counted per UTC
    hour in SQL, then gathered into Paris days."""
    bucket = _hour_bucket(Proposal.submitted_at)
    hourly = [
        (datetime.strptime(hour, "%Y-%m-%d %H"), count)
        for hour, count in db.session.execute(
            select(bucket, func.count())
            .where(
                Proposal.campaign_id == campaign.id,
                Proposal.status.in_(IN_COMPETITION),
                Proposal.submitted_at.is_not(None),
            )
            .group_by(bucket)
        ).all()
        if hour
    ]
    first = charts.paris_day(campaign.opens_at) if campaign.opens_at else None
    last_moment = min(now, campaign.deadline_at) if campaign.deadline_at else now
    last = charts.paris_day(last_moment) if first and last_moment >= campaign.opens_at else None
    return charts.per_paris_day(hourly, first, last)


def _grouped(column, campaign_id: int) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    rows = db.session.execute(
        select(column, func.count())
        .where(Proposal.campaign_id == campaign_id, Proposal.status.in_(IN_COMPETITION))
        .group_by(column)
        .order_by(func.count().desc(), column)
    ).all()
    return [(name or "", count) for name, count in rows]


def _juror_progress(campaign_id: int) -> list[JurorProgress]:
    """Each juror's active assignments and submitted written reviews (one query)."""
    assigned = (
        select(ReviewAssignment.juror_id, func.count().label("n"))
        .where(
            ReviewAssignment.campaign_id == campaign_id,
            ReviewAssignment.state == AssignmentState.ACTIVE.value,
        )
        .group_by(ReviewAssignment.juror_id)
        .subquery()
    )
    submitted = (
        select(Review.juror_id, func.count().label("n"))
        .where(
            Review.campaign_id == campaign_id,
            Review.phase == "written",
            Review.status == "submitted",
        )
        .group_by(Review.juror_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Membership.email,
            Membership.user_id,
            User.first_name,
            User.last_name,
            assigned.c.n,
            submitted.c.n,
        )
        .outerjoin(User, User.id == Membership.user_id)
        .outerjoin(assigned, assigned.c.juror_id == Membership.user_id)
        .outerjoin(submitted, submitted.c.juror_id == Membership.user_id)
        .where(Membership.campaign_id == campaign_id, Membership.role == Role.JUROR.value)
        .order_by(Membership.email)
    ).all()
    return [
        JurorProgress(
            email=email,
            name=f"{first or ''} {last or ''}".strip(),
            active=user_id is not None,
            assigned=n_assigned or 0,
            submitted=n_submitted or 0,
        )
        for email, user_id, first, last, n_assigned, n_submitted in rows
    ]


def _supports(campaign_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Support)
            .join(Proposal, Proposal.id == Support.proposal_id)
            .where(Proposal.campaign_id == campaign_id)
        )
        or 0
    )
