"""The lifecycle moves: by an organiser (guards checked) or by beat at their date.

A move is ``UPDATE campaign SET status = :to WHERE id = :id AND status = :from``: of two beats,
or a double click, exactly one wins, and only the winner writes the audit event and queues the
messages (same transaction), so nothing moves or is sent twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from challenge.accounts.models import Membership, Role, User
from challenge.campaigns import lifecycle
from challenge.campaigns.changes import jsonable
from challenge.campaigns.lifecycle import Problem
from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.campaigns.queries.lifecycle import facts, problem_message
from challenge.campaigns.service.versioned import ensure_organiser
from challenge.errors import ConcurrentChange, Refused
from challenge.extensions import db
from challenge.notifications.rendering import external_url
from challenge.proposals.models import IN_COMPETITION, Proposal
from challenge.timeutils import utcnow
from challenge.unit_of_work import Work, unit_of_work

log = logging.getLogger(__name__)


class TransitionBlocked(Refused):
    """The lifecycle's guards refuse the move; ``messages`` says every reason."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


def transition(
    campaign: Campaign,
    target: str,
    actor: User | None,
    *,
    expected_from: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Move the campaign to ``target`` if the guards allow it.

    Returns False (and does nothing) when the campaign is no longer in ``expected_from``: the
    move was already made (a double click, another organiser, beat). Raises TransitionBlocked
    with the reasons when a guard says no. ``actor`` None is the system (beat).
    """
    if actor is not None:
        ensure_organiser(campaign, actor)
    now = now or utcnow()
    source = expected_from or campaign.status
    if source != campaign.status:
        return False
    if target not in lifecycle.ORDER:
        raise TransitionBlocked([problem_message(Problem("not_allowed"))])
    current = facts(campaign, now)
    problems = lifecycle.guard(source, target, current)
    if problems:
        raise TransitionBlocked([problem_message(p, current.dates) for p in problems])
    return _move(campaign, source, target, actor, now, automatic=False)


def advance_due_campaigns(now: datetime | None = None) -> list[tuple[int, str, str]]:
    """Beat's job: take every automatic step that is due. Safe to run anywhere, any number of
    times, concurrently. Returns the moves made by this call (campaign id, from, to)."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Campaign)
        .where(
            or_(
                and_(Campaign.status == CampaignStatus.OPEN.value, Campaign.deadline_at <= now),
                and_(Campaign.status == CampaignStatus.DRAFT.value, Campaign.opens_at <= now),
            )
        )
        .order_by(Campaign.id)
    ).all()
    moved = []
    for campaign in candidates:
        campaign_id = campaign.id
        try:
            current = facts(campaign, now)
            target = lifecycle.due_automatic_step(current)
            if target is None:
                continue
            if _move(campaign, current.status, target, None, now, automatic=True):
                moved.append((campaign_id, current.status, target))
        except (SQLAlchemyError, ConcurrentChange):
            # Another process holds the row (SQLite) or the database hiccupped: next beat.
            db.session.rollback()
            log.exception("campaign %s: automatic step failed, will retry", campaign_id)
    db.session.rollback()  # end the read transaction
    return moved


def _move(
    campaign: Campaign,
    source: str,
    target: str,
    actor: User | None,
    now: datetime,
    *,
    automatic: bool,
) -> bool:
    """The conditional UPDATE that makes every move happen once, with its audit and e-mails."""
    values: dict[str, object] = {
        "status": target,
        "version": Campaign.version + 1,
        "updated_at": now,
    }
    opened_early = (
        target == lifecycle.OPEN
        and source == lifecycle.DRAFT
        and (campaign.opens_at is None or campaign.opens_at > now)
    )
    old_opens_at = campaign.opens_at
    if opened_early:
        values["opens_at"] = now  # the opening date says when it really opened
    with unit_of_work(actor=actor, campaign_id=campaign.id) as work:
        new_version = db.session.scalar(
            update(Campaign)
            .where(Campaign.id == campaign.id, Campaign.status == source)
            .values(**values)
            .returning(Campaign.version)
            .execution_options(synchronize_session=False)
        )
        if new_version is None:
            return False  # another request or beat made it first: nothing written
        changes: dict[str, list[object]] = {"status": [source, target]}
        if opened_early:
            changes["opens_at"] = [jsonable(old_opens_at), jsonable(now)]
        work.audit(
            "campaign.status_changed",
            target=campaign,
            details={"changes": changes, "automatic": automatic},
        )
        _queue_transition_messages(work, campaign, source, target, automatic, new_version)
    log.info("campaign %s: %s → %s (%s)", campaign.id, source, target, actor or "beat")
    return True


def _recipients(campaign_id: int, role: Role) -> list[tuple[str, int | None, str]]:
    return [
        (email, user_id, locale or "fr")
        for email, user_id, locale in db.session.execute(
            select(Membership.email, Membership.user_id, User.locale)
            .outerjoin(User, User.id == Membership.user_id)
            .where(Membership.campaign_id == campaign_id, Membership.role == role.value)
        ).all()
    ]


def _queue_transition_messages(
    work: Work, campaign: Campaign, source: str, target: str, automatic: bool, version: int
) -> None:
    key = f"campaign:{campaign.id}:{source}-{target}:v{version}"
    if target == lifecycle.REVIEW and source == lifecycle.OPEN:
        _tell_jurors_review_started(work, campaign, key)
    if automatic:
        context = {
            "campaign_title": campaign.title,
            "source": source,
            "target": target,
            "link": external_url("campaigns.dashboard", campaign_id=campaign.id),
        }
        for email, user_id, locale in _recipients(campaign.id, Role.ORGANISER):
            work.mail(
                "campaign_status_changed",
                to=email,
                context=context,
                locale=locale,
                user_id=user_id,
                dedup_key=f"{key}:organiser:{email}",
            )


def _tell_jurors_review_started(work: Work, campaign: Campaign, key: str) -> None:
    submitted = db.session.scalar(
        select(func.count())
        .select_from(Proposal)
        .where(Proposal.campaign_id == campaign.id, Proposal.status.in_(IN_COMPETITION))
    )
    workspace = (
        external_url("jury.workspace")
        if "jury.workspace" in current_app.view_functions
        else external_url("site.home")
    )
    context = {
        "campaign_title": campaign.title,
        "proposals": submitted or 0,
        "review_ends_at": campaign.review_ends_at,
        "link": workspace,
    }
    for email, user_id, locale in _recipients(campaign.id, Role.JUROR):
        work.mail(
            "campaign_review_started",
            to=email,
            context=context,
            locale=locale,
            user_id=user_id,
            dedup_key=f"{key}:juror:{email}",
        )
