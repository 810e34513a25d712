"""The organisers' assignment page: loads per juror, shortfalls, one page of proposals."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from challenge.access.campaigns import campaign_for_organiser
from challenge.accounts.models import Membership, Role, User
from challenge.campaigns.models import Campaign
from challenge.extensions import db
from challenge.jury.models import ReviewAssignment
from challenge.jury.paging import page_of
from challenge.jury.queries.assignment_data import (
    AssignmentData,
    Pair,
    assignment_data,
    submitted_pairs,
)
from challenge.jury.queries.phases import assignment_refusal

PAGE_SIZE = 50


@dataclass(frozen=True)
class JurorLoad:
    juror_id: int
    name: str
    email: str
    administration: str
    load: int
    pinned: int
    submitted: int
    conflicts: int


@dataclass(frozen=True)
class Reviewer:
    juror_id: int
    name: str
    pinned: bool


@dataclass(frozen=True)
class ProposalReviewers:
    proposal_id: int
    title: str
    administration: str
    reviewers: list[Reviewer]
    removed: list[Reviewer]
    missing: int


@dataclass(frozen=True)
class AssignmentOverview:
    campaign: Campaign
    can_run: bool
    run_refusal: str | None
    reviews_per_proposal: int
    proposal_count: int
    jurors: list[JurorLoad]
    pending_invitations: int
    short_proposals: int
    missing_reviews: int
    invalid_rows: int  # active rows the next run will drop (conflict, withdrawn, juror left)
    unnotified: int
    rows: list[ProposalReviewers]  # this page of proposals
    page: int
    pages: int
    only_short: bool
    proposal_choices: list[tuple[int, str]]
    juror_choices: list[tuple[int, str]]

    @property
    def load_spread(self) -> int:
        loads = [j.load for j in self.jurors]
        return max(loads) - min(loads) if loads else 0


def assignment_overview(
    user: User, campaign_id: int, *, page: int = 1, only_short: bool = False
) -> AssignmentOverview:
    """Loads per juror, shortfalls, and the reviewers of one page of proposals."""
    campaign = campaign_for_organiser(user, campaign_id)
    data = assignment_data(campaign)
    effective = data.effective()
    wanted = campaign.reviews_per_proposal
    by_proposal = _pairs_by_proposal(effective)
    short = [p for p in data.proposals if len(by_proposal[p[0]]) < wanted]
    shown, page, pages = page_of(short if only_short else data.proposals, page, PAGE_SIZE)
    refusal = assignment_refusal(campaign)
    return AssignmentOverview(
        campaign=campaign,
        can_run=refusal is None,
        run_refusal=refusal,
        reviews_per_proposal=wanted,
        proposal_count=len(data.proposals),
        jurors=_juror_loads(data, effective),
        pending_invitations=_pending_invitations(campaign.id),
        short_proposals=len(short),
        missing_reviews=sum(max(wanted - len(by_proposal[p[0]]), 0) for p in data.proposals),
        invalid_rows=sum(
            1 for pair, row in data.active.items() if pair not in effective and not row.pinned
        ),
        unnotified=sum(1 for row in effective.values() if row.notified_at is None),
        rows=_proposal_rows(data, effective, by_proposal, shown),
        page=page,
        pages=pages,
        only_short=only_short,
        proposal_choices=[(p[0], p[1]) for p in data.proposals],
        juror_choices=[(j.id, j.name) for j in data.jurors],
    )


def _pairs_by_proposal(pairs: Collection[Pair]) -> dict[int, list[Pair]]:
    by_proposal: dict[int, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_proposal[pair[1]].append(pair)
    return by_proposal


def _juror_loads(
    data: AssignmentData, effective: Mapping[Pair, ReviewAssignment]
) -> list[JurorLoad]:
    loads = Counter(j for j, _p in effective)
    pins = Counter(j for (j, _p), row in effective.items() if row.pinned)
    conflicts = Counter(j for j, _p in data.conflicts)
    done = submitted_pairs(data.campaign.id)
    submitted = Counter(j for j, p in effective if (j, p) in done)
    return [
        JurorLoad(
            j.id,
            j.name,
            j.email,
            j.administration,
            loads[j.id],
            pins[j.id],
            submitted[j.id],
            conflicts[j.id],
        )
        for j in data.jurors
    ]


def _proposal_rows(
    data: AssignmentData,
    effective: Mapping[Pair, ReviewAssignment],
    by_proposal: Mapping[int, list[Pair]],
    shown: list[tuple[int, str, str]],
) -> list[ProposalReviewers]:
    """The reviewers of the shown proposals, and the jurors removed from them by hand."""
    names = {j.id: j.name for j in data.jurors}
    removed = _pairs_by_proposal(data.removed)
    wanted = data.campaign.reviews_per_proposal
    rows = []
    for proposal_id, title, administration in shown:
        pairs = sorted(by_proposal.get(proposal_id, ()))
        rows.append(
            ProposalReviewers(
                proposal_id,
                title,
                administration,
                [Reviewer(j, names.get(j, "?"), effective[(j, p)].pinned) for j, p in pairs],
                [
                    Reviewer(j, names[j], False)
                    for j, _p in sorted(removed.get(proposal_id, ()))
                    if j in names
                ],
                max(wanted - len(pairs), 0),
            )
        )
    return rows


def _pending_invitations(campaign_id: int) -> int:
    """Jurors invited who have not signed in yet (they cannot be assigned)."""
    pending = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.campaign_id == campaign_id,
            Membership.role == Role.JUROR.value,
            Membership.user_id.is_(None),
        )
    )
    return pending or 0
