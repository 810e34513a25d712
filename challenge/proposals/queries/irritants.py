"""The "moi aussi" pages: irritants already sent to a campaign, and the supports they have.

An agent sees only the title and the irritant of others' proposals (no names, no solution).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select

from challenge.access.proposals import author_clause, may_support
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import NotFound
from challenge.extensions import db
from challenge.proposals.fields import clean_text
from challenge.proposals.models import IN_COMPETITION, Proposal, ProposalAuthor, Support
from challenge.proposals.queries.campaigns import ensure_agent_of, ensure_open, public_campaign

IRRITANTS_PAGE_SIZE = 20
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True)
class Irritant:
    id: int
    campaign_id: int
    title: str
    irritant: str
    supported: bool
    testimony: str


@dataclass(frozen=True)
class IrritantPage:
    campaign: Campaign
    items: list[Irritant]
    query: str
    page: int
    pages: int
    total: int


def campaign_for_supports(slug: str, user: User) -> Campaign:
    """The campaign, if it takes supports now from this agent; raise the reason otherwise."""
    campaign = public_campaign(slug, with_questions=False)
    if not campaign.allow_supports:
        raise NotFound
    ensure_agent_of(campaign, user)
    ensure_open(campaign)
    return campaign


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _supportable_ids(campaign: Campaign, user: User, query: str) -> Select[tuple[int]]:
    """SQL twin of :func:`challenge.access.proposals.may_support` on the campaign's proposals
    (the campaign's own conditions are checked by :func:`campaign_for_supports`)."""
    mine = select(ProposalAuthor.proposal_id).where(author_clause(user))
    statement = select(Proposal.id).where(
        Proposal.campaign_id == campaign.id,
        Proposal.status.in_(IN_COMPETITION),
        Proposal.id.not_in(mine),
    )
    if query:
        pattern = f"%{_escape_like(query)}%"
        statement = statement.where(
            or_(
                Proposal.title.ilike(pattern, escape="\\"),
                Proposal.irritant.ilike(pattern, escape="\\"),
            )
        )
    return statement


def _with_my_support(user: User):  # type: ignore[no-untyped-def]
    return select(
        Proposal.id, Proposal.title, Proposal.irritant, Support.id, Support.testimony
    ).outerjoin(Support, and_(Support.proposal_id == Proposal.id, Support.user_id == user.id))


def irritants(slug: str, user: User, query: str = "", page: int = 1) -> IrritantPage:
    """Irritants already sent to the campaign, searchable, by pages; three queries whatever
    their number."""
    campaign = campaign_for_supports(slug, user)
    query = clean_text(query, single_line=True)[:MAX_SEARCH_LENGTH]
    ids = _supportable_ids(campaign, user, query)
    total = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    pages = max((total + IRRITANTS_PAGE_SIZE - 1) // IRRITANTS_PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        _with_my_support(user)
        .where(Proposal.id.in_(ids))
        .order_by(Proposal.submitted_at.desc(), Proposal.id.desc())
        .limit(IRRITANTS_PAGE_SIZE)
        .offset((page - 1) * IRRITANTS_PAGE_SIZE)
    ).all()
    items = [
        Irritant(pid, campaign.id, title, irritant, support_id is not None, testimony or "")
        for pid, title, irritant, support_id, testimony in rows
    ]
    return IrritantPage(campaign, items, query, page, pages, total)


def irritant(slug: str, proposal_id: int, user: User) -> Irritant:
    """One irritant the agent may support (404 for their own, a draft, another campaign's)."""
    campaign = campaign_for_supports(slug, user)
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.campaign_id != campaign.id or not may_support(user, proposal):
        raise NotFound
    row = db.session.execute(_with_my_support(user).where(Proposal.id == proposal.id)).one()
    pid, title, text, support_id, testimony = row
    return Irritant(pid, campaign.id, title, text, support_id is not None, testimony or "")


def support_counts(proposal_ids: Iterable[int]) -> dict[int, int]:
    """How many agents said "moi aussi" for each proposal (0 included), in one query."""
    ids = list(set(proposal_ids))
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    rows = db.session.execute(
        select(Support.proposal_id, func.count())
        .where(Support.proposal_id.in_(ids))
        .group_by(Support.proposal_id)
    )
    for proposal_id, count in rows:
        counts[proposal_id] = count
    return counts
