"""An admin creates a campaign: a draft with the default grids, its organisers invited."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from challenge.access.roles import may_create_campaigns
from challenge.accounts.models import Role, User
from challenge.campaigns.default_grid import default_grid
from challenge.campaigns.models import Campaign, CampaignStatus, Criterion, GridKind
from challenge.campaigns.service.addresses import parse_emails, slug_error, slugify, unique_slug
from challenge.campaigns.service.members import MAX_INVITES, invite
from challenge.campaigns.texts import _, quoted
from challenge.errors import Forbidden, Invalid
from challenge.extensions import db
from challenge.unit_of_work import unit_of_work


@dataclass(frozen=True)
class NewCampaign:
    title: str
    administration: str = ""
    organiser_emails: str = ""
    slug: str = ""


def title_errors(title: str) -> list[str]:
    if not title:
        return [_("Saisissez le titre de la campagne.")]
    if len(title) > 200:
        return [_("Le titre ne doit pas dépasser 200 caractères.")]
    return []


def create_campaign(data: NewCampaign, actor: User) -> Campaign:
    """An admin creates a draft with the default grids and invites its organisers."""
    if not may_create_campaigns(actor):
        raise Forbidden
    errors: dict[str, list[str]] = defaultdict(list)
    title = data.title.strip()
    errors["title"].extend(title_errors(title))
    emails, bad = parse_emails(data.organiser_emails)
    if bad:
        errors["organiser_emails"].append(
            _("Ces adresses ne sont pas valides : %(list)s.", list=quoted(bad))
        )
    if len(emails) > MAX_INVITES:
        errors["organiser_emails"].append(_("Invitez au plus 200 personnes à la fois."))
    slug = data.slug.strip().lower()
    if slug:
        error = slug_error(slug, None)
        if error:
            errors["slug"].append(error)
    else:
        slug = unique_slug(slugify(title or "campagne"))
    if any(errors.values()):
        raise Invalid({name: messages for name, messages in errors.items() if messages})
    with unit_of_work(actor=actor) as work:
        campaign = Campaign(
            slug=slug,
            title=title,
            administration=data.administration.strip()[:200],
            status=CampaignStatus.DRAFT.value,
        )
        db.session.add(campaign)
        db.session.flush()
        for kind in GridKind:
            _add_default_grid(campaign, kind.value)
        work.audit(
            "campaign.created",
            campaign_id=campaign.id,
            target=campaign,
            details={"title": title, "slug": slug, "organisers": emails},
        )
        invite(work, campaign, emails, Role.ORGANISER)
    return campaign


def _add_default_grid(campaign: Campaign, kind: str) -> None:
    for position, item in enumerate(default_grid(kind)):
        db.session.add(
            Criterion(
                campaign_id=campaign.id,
                grid=kind,
                position=position,
                label=_(item.label),
                description=_(item.description),
                weight=item.weight,
                scale_min=0,
                scale_max=len(item.levels) - 1,
                level_descriptions=[_(level) for level in item.levels],
            )
        )


def ensure_default_grids(campaign: Campaign) -> None:
    """Give a campaign without criteria the default grids (the demo seed uses it; the caller
    commits)."""
    kinds = set(
        db.session.scalars(select(Criterion.grid).where(Criterion.campaign_id == campaign.id))
    )
    for kind in GridKind:
        if kind.value not in kinds:
            _add_default_grid(campaign, kind.value)
