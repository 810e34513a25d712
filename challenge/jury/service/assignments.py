"""The organisers assign reviewers: an automatic run, pins and removals by hand, the summaries."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from challenge.access.campaigns import campaign_for_organiser
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import ConcurrentChange, Refused
from challenge.extensions import db
from challenge.jury.models import AssignmentState, ReviewAssignment
from challenge.jury.queries.assignment_data import AssignmentData, assignment_data
from challenge.jury.queries.phases import assignment_refusal
from challenge.jury.service.juror_mail import juror_recipients, workspace_link
from challenge.timeutils import utcnow
from challenge.unit_of_work import Work, unit_of_work

if TYPE_CHECKING:
    from challenge.jury.assignment import AssignmentResult


@dataclass(frozen=True)
class AssignmentRun:
    added: int
    dropped: int
    shortfalls: int
    missing_reviews: int
    ignored_pins: int
    notified_jurors: int
    load_spread: int
    solver_seconds: float


def _assignable(user: User, campaign_id: int) -> Campaign:
    """The organiser's campaign, locked, while its assignments may still change."""
    campaign = campaign_for_organiser(user, campaign_id, lock=True)
    refusal = assignment_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    return campaign


def run_assignment(user: User, campaign_id: int, *, rebalance: bool = False) -> AssignmentRun:
    """Assign reviewers automatically; keep pins, removals and (unless rebalancing) what holds.

    Only what must move moves: pairs that became invalid (conflict, withdrawn proposal, juror
    who left) are dropped and the gaps are filled as evenly as possible. Each juror who received
    proposals gets one summary e-mail. One transaction, one audit event.
    """
    campaign = _assignable(user, campaign_id)
    data = assignment_data(campaign)
    result = _solve(data, rebalance)
    try:
        with unit_of_work(actor=user, campaign_id=campaign.id) as work:
            added, dropped = _apply(data, result, user)
            db.session.flush()
            notified = notify_pending(campaign, work)
            work.audit(
                "jury.assignment_run",
                target=campaign,
                details={
                    "rebalance": rebalance,
                    "added": added,
                    "dropped": dropped,
                    "shortfalls": len(result.shortfalls),
                    "ignored_pins": len(result.ignored_pins),
                    "notified_jurors": notified,
                    "solver_seconds": round(result.solver_seconds, 3),
                },
            )
    except ConcurrentChange as error:
        raise ConcurrentChange(
            _l("Une autre affectation a été lancée en même temps : rechargez la page et relancez.")
        ) from error
    return AssignmentRun(
        added=added,
        dropped=dropped,
        shortfalls=len(result.shortfalls),
        missing_reviews=sum(s.missing for s in result.shortfalls),
        ignored_pins=len(result.ignored_pins),
        notified_jurors=notified,
        load_spread=result.load_spread,
        solver_seconds=result.solver_seconds,
    )


def _solve(data: AssignmentData, rebalance: bool) -> AssignmentResult:
    """The pairs the solver keeps and adds, from what is there now."""
    # Imported here: OR-Tools and NumPy cost ~40 MB in every web and worker process otherwise.
    from challenge.jury.assignment import AssignmentProblem, assign_reviewers

    return assign_reviewers(
        AssignmentProblem(
            proposals=tuple(p[0] for p in data.proposals),
            jurors=tuple(j.id for j in data.jurors),
            reviews_per_proposal=data.campaign.reviews_per_proposal,
            conflicts=data.conflicts,
            pinned=frozenset(pair for pair, row in data.active.items() if row.pinned),
            removed=frozenset(data.removed),
            current=frozenset(pair for pair, row in data.active.items() if not row.pinned),
            rebalance=rebalance,
        )
    )


def _apply(data: AssignmentData, result: AssignmentResult, user: User) -> tuple[int, int]:
    """Drop the rows the solver let go, add its new pairs; (added, dropped)."""
    stale = [
        row for pair, row in data.active.items() if not row.pinned and pair not in result.pairs
    ]
    for row in stale:
        db.session.delete(row)
    new_pairs = sorted(result.pairs - set(data.active))
    for juror_id, proposal_id in new_pairs:
        db.session.add(
            ReviewAssignment(
                campaign_id=data.campaign.id,
                proposal_id=proposal_id,
                juror_id=juror_id,
                state=AssignmentState.ACTIVE.value,
                pinned=False,
                created_by_id=user.id,
            )
        )
    return len(new_pairs), len(stale)


def notify_assignments(user: User, campaign_id: int) -> int:
    """Send the pending summaries now (e.g. after pins); returns the number of jurors told."""
    campaign = campaign_for_organiser(user, campaign_id)
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        notified = notify_pending(campaign, work)
        if notified:
            work.audit("jury.assignment_notified", target=campaign, details={"jurors": notified})
    return notified


def notify_pending(campaign: Campaign, work: Work) -> int:
    """Queue one summary per juror of the assignments they were not told of yet.

    Only assignments that hold (no conflict, proposal in competition) are told; a rerun that
    adds nothing sends nothing, and the dedup key (the assignment ids) makes a repeat a no-op.
    """
    data = assignment_data(campaign)
    effective = data.effective()
    pending: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for (juror_id, _p), row in effective.items():
        if row.notified_at is None:
            pending[juror_id].append(row)
    titles = {p[0]: p[1] for p in data.proposals}
    totals = Counter(j for j, _p in effective)
    now = utcnow()
    told = 0
    for user, sight in juror_recipients(campaign, pending):
        rows = sorted(
            (r for r in pending[user.id] if sight.sees(r.proposal_id)), key=lambda r: r.proposal_id
        )
        if not rows:
            continue
        digest = hashlib.sha256(",".join(str(r.id) for r in rows).encode()).hexdigest()[:24]
        work.mail(
            "jury_assignment",
            to=user.email,
            context={
                "juror_name": user.display_name,
                "campaign_title": campaign.title,
                "titles": [titles[r.proposal_id] or _l("(sans titre)") for r in rows],
                "new_count": len(rows),
                "total_count": totals[user.id],
                "review_ends_at": campaign.review_ends_at,
                "link": workspace_link(),
            },
            locale=user.locale or "fr",
            user_id=user.id,
            campaign_id=campaign.id,
            dedup_key=f"jury-assignment:{campaign.id}:{user.id}:{digest}",
        )
        for row in rows:
            row.notified_at = now
        told += 1
    return told


def pin_assignment(user: User, campaign_id: int, proposal_id: int, juror_id: int) -> None:
    """Give a proposal to a juror by hand: kept by every later run."""
    _set_by_hand(user, campaign_id, proposal_id, juror_id, pinned=True)


def remove_assignment(user: User, campaign_id: int, proposal_id: int, juror_id: int) -> None:
    """Take a proposal from a juror by hand: no later run gives it back."""
    _set_by_hand(user, campaign_id, proposal_id, juror_id, pinned=False)


def _set_by_hand(
    user: User, campaign_id: int, proposal_id: int, juror_id: int, *, pinned: bool
) -> None:
    """Pin (active, kept) or remove (never given back) one juror × proposal pair, audited."""
    campaign = _assignable(user, campaign_id)
    data, row = _assignment_target(campaign, proposal_id, juror_id)
    if pinned and (juror_id, proposal_id) in data.conflicts:
        raise Refused(_l("Ce juré est en conflit d’intérêts avec cette proposition."))
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        if row is None:
            row = ReviewAssignment(
                campaign_id=campaign.id,
                proposal_id=proposal_id,
                juror_id=juror_id,
                created_by_id=user.id,
            )
            db.session.add(row)
        row.state = (AssignmentState.ACTIVE if pinned else AssignmentState.REMOVED).value
        row.pinned = pinned
        work.audit(
            "jury.assignment_pinned" if pinned else "jury.assignment_removed",
            target=row,
            details={"proposal_id": proposal_id, "juror_id": juror_id},
        )


def _assignment_target(
    campaign: Campaign, proposal_id: int, juror_id: int
) -> tuple[AssignmentData, ReviewAssignment | None]:
    data = assignment_data(campaign)
    if proposal_id not in data.proposal_ids:
        raise Refused(_l("Cette proposition n’est pas en compétition dans la campagne."))
    if juror_id not in data.juror_ids:
        raise Refused(_l("Cette personne n’est pas membre du jury de la campagne."))
    pair = (juror_id, proposal_id)
    return data, data.active.get(pair) or data.removed.get(pair)


def restore_assignment(user: User, campaign_id: int, proposal_id: int, juror_id: int) -> None:
    """Forget a manual removal: the next run may assign the pair again."""
    campaign = _assignable(user, campaign_id)
    row = db.session.scalar(
        select(ReviewAssignment).where(
            ReviewAssignment.campaign_id == campaign.id,
            ReviewAssignment.proposal_id == proposal_id,
            ReviewAssignment.juror_id == juror_id,
            ReviewAssignment.state == AssignmentState.REMOVED.value,
        )
    )
    if row is None:
        raise Refused(_l("Aucun retrait manuel à annuler pour ce juré et cette proposition."))
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        work.audit(
            "jury.assignment_restored",
            target=row,
            details={"proposal_id": proposal_id, "juror_id": juror_id},
        )
        db.session.delete(row)
