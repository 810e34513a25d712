"""Reminders to jurors with reviews still to send, three days and one day before the end."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.errors import ConcurrentChange
from challenge.extensions import db
from challenge.jury.queries.assignment_data import assignment_data, submitted_pairs
from challenge.jury.service.juror_mail import juror_recipients, workspace_link
from challenge.timeutils import utc_to_paris, utcnow
from challenge.unit_of_work import Work, unit_of_work

REMINDER_DAYS = (3, 1)  # reminders this many Paris calendar days before the end of review
REMINDER_HOUR = 9  # not before 9:00, Paris time


def reminder_days_left(review_ends_at: datetime, now: datetime) -> int | None:
    """Days left (3 or 1, Paris calendar days) when a reminder is due now, else None.

    Due from ``REMINDER_HOUR`` Paris time on the day three (and one) calendar days before the end
    of review, and only while the review is still open.
    """
    if now >= review_ends_at:
        return None
    here = utc_to_paris(now)
    if here.hour < REMINDER_HOUR:
        return None
    days = (utc_to_paris(review_ends_at).date() - here.date()).days
    return days if days in REMINDER_DAYS else None


def remind_jurors(now: datetime | None = None) -> int:
    """Remind jurors with pending reviews (beat, hourly). Returns the number of reminders queued.

    At most one reminder per juror, campaign and Paris day: the dedup key names the day, so the
    hourly runs of that day (and two beats racing) queue it once.
    """
    now = now or utcnow()
    campaigns = db.session.scalars(
        select(Campaign).where(
            Campaign.status == CampaignStatus.REVIEW.value,
            Campaign.review_ends_at.is_not(None),
            Campaign.review_ends_at > now,
        )
    ).all()
    day = utc_to_paris(now).date().isoformat()
    sent = 0
    try:
        with unit_of_work() as work:
            for campaign in campaigns:
                days_left = reminder_days_left(campaign.review_ends_at, now)
                if days_left is not None:
                    sent += _remind_campaign(campaign, days_left, day, work)
            if sent:
                work.audit("jury.reminders_sent", details={"count": sent, "day": day})
    except ConcurrentChange:  # another beat queued the same reminders first
        return 0
    return sent


def _remind_campaign(campaign: Campaign, days_left: int, day: str, work: Work) -> int:
    done = submitted_pairs(campaign.id)
    waiting = {j for j, p in assignment_data(campaign).effective() if (j, p) not in done}
    queued = 0
    for user, sight in juror_recipients(campaign, waiting):
        pending = sum(1 for p in sight.proposal_ids or () if (user.id, p) not in done)
        if not pending:
            continue
        message = work.mail(
            "jury_reminder",
            to=user.email,
            context={
                "juror_name": user.display_name,
                "campaign_title": campaign.title,
                "pending": pending,
                "days_left": days_left,
                "review_ends_at": campaign.review_ends_at,
                "link": workspace_link(),
            },
            locale=user.locale or "fr",
            user_id=user.id,
            campaign_id=campaign.id,
            dedup_key=f"jury-reminder:{campaign.id}:{user.id}:{day}",
        )
        if message in db.session.new:  # not queued before today
            queued += 1
    return queued
