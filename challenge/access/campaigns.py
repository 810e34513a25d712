"""A campaign as one of its organisers or jurors opens it: the one fetch every surface uses.

Pages, exports, JSON and the command line all open a campaign through these two functions, so
that "who may open it" and "what an outsider learns" (404 for an unknown campaign, 403 for a
known one outside their role; 404 for jurors, whose campaigns are not public knowledge) are the
same everywhere; and a campaign by its public address (:func:`published_campaign`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from challenge.access.roles import is_juror, is_organiser
from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.errors import Forbidden, NotFound
from challenge.extensions import db

MAX_ID = 2**31 - 1  # ids beyond an INTEGER column: not found, rather than a database error


def valid_id(value: int) -> bool:
    """Whether ``value`` can be a row id (a URL can carry any integer)."""
    return 0 < value <= MAX_ID


def campaign_for_organiser(
    user: object | None, campaign_id: int, *, lock: bool = False
) -> Campaign:
    """The campaign, if ``user`` organises it (admins organise every campaign).

    404 for an unknown campaign, 403 for someone who is not its organiser. ``lock`` takes the
    campaign's row lock (PostgreSQL) for a write that must not interleave with another.
    """
    if not valid_id(campaign_id):
        raise NotFound
    query = select(Campaign).where(Campaign.id == campaign_id)
    campaign = db.session.scalar(query.with_for_update() if lock else query)
    if campaign is None:
        raise NotFound
    if not is_organiser(user, campaign.id):
        raise Forbidden
    return campaign


def campaign_for_juror(user: object | None, campaign_id: int) -> Campaign:
    """The campaign, if ``user`` sits on its jury; 404 otherwise (existence not revealed)."""
    if not valid_id(campaign_id):
        raise NotFound
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not is_juror(user, campaign.id):
        raise NotFound
    return campaign


def published_campaign(
    slug: str, viewer: object | None = None, *, with_questions: bool = False
) -> Campaign:
    """A campaign by its public address: every campaign once out of draft; a draft only for its
    organisers (``viewer``), who preview its page. 404 otherwise."""
    statement = select(Campaign).where(Campaign.slug == slug)
    if with_questions:
        statement = statement.options(selectinload(Campaign.questions))
    campaign = db.session.scalar(statement)
    if campaign is None:
        raise NotFound
    if campaign.status == CampaignStatus.DRAFT.value and not is_organiser(viewer, campaign.id):
        raise NotFound
    return campaign
