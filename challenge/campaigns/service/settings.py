"""The call's set-up: title, page address, administration, call text, allowed domains, dates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from challenge.accounts.models import User
from challenge.campaigns import lifecycle
from challenge.campaigns.lifecycle import Dates
from challenge.campaigns.models import Campaign, CampaignStatus
from challenge.campaigns.queries.lifecycle import dates_of, problem_message
from challenge.campaigns.service.addresses import parse_domains, slug_error
from challenge.campaigns.service.creation import title_errors
from challenge.campaigns.service.versioned import ensure_editable, save_changes
from challenge.campaigns.texts import _, quoted
from challenge.errors import Invalid
from challenge.timeutils import utcnow
from challenge.unit_of_work import unit_of_work


@dataclass(frozen=True)
class Settings:
    title: str
    administration: str
    call_text: str
    allowed_domains: str
    dates: Dates
    slug: str = ""


def update_settings(
    campaign: Campaign,
    data: Settings,
    actor: User,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> dict[str, list[object]]:
    """Save the call's set-up. Returns the field diffs (empty: nothing changed)."""
    ensure_editable(campaign, actor)
    after = _checked_settings(campaign, data, now or utcnow())
    with unit_of_work(actor=actor, campaign_id=campaign.id) as work:
        return save_changes(
            work,
            campaign,
            _settings_snapshot(campaign),
            after,
            "campaign.settings_updated",
            expected_version,
        )


def _checked_settings(campaign: Campaign, data: Settings, now: datetime) -> dict[str, object]:
    """The settings to store, every field checked; Invalid with every message otherwise."""
    errors: dict[str, list[str]] = defaultdict(list)
    title = data.title.strip()
    errors["title"].extend(title_errors(title))
    administration = data.administration.strip()
    if len(administration) > 200:
        errors["administration"].append(_("Ce champ ne doit pas dépasser 200 caractères."))
    if len(data.call_text) > 50000:
        errors["call_text"].append(_("Le texte de l’appel ne doit pas dépasser 50 000 caractères."))
    slug = (data.slug or campaign.slug).strip().lower()
    errors["slug"].extend(_slug_errors(campaign, slug))
    domains, domain_errors = _checked_domains(campaign, data.allowed_domains)
    errors["allowed_domains"].extend(domain_errors)
    old_dates = dates_of(campaign)
    new_dates = _merge_dates(old_dates, data.dates)
    for problem in lifecycle.validate_dates(new_dates, old_dates, now, campaign.status):
        errors[problem.field or ""].append(problem_message(problem, new_dates))
    if any(errors.values()):
        raise Invalid({name: messages for name, messages in errors.items() if messages})
    return {
        "title": title,
        "slug": slug,
        "administration": administration,
        "call_text": data.call_text,
        "allowed_domains": ",".join(domains),
        **new_dates.as_dict(),
    }


def _slug_errors(campaign: Campaign, slug: str) -> list[str]:
    if slug == campaign.slug:
        return []
    if campaign.status != CampaignStatus.DRAFT.value:
        return [_("L’adresse de la page ne peut plus changer une fois la campagne publiée.")]
    error = slug_error(slug, campaign)
    return [error] if error else []


def _checked_domains(campaign: Campaign, raw: str) -> tuple[list[str], list[str]]:
    """(the domains, the messages about them)."""
    domains, bad = parse_domains(raw)
    if bad:
        return domains, [
            _(
                "Ces valeurs ne sont pas des noms de domaine : %(list)s. Saisissez par exemple "
                "« francetravail.fr », sans le « @ » ni l’adresse complète.",
                list=quoted(bad),
            )
        ]
    if not domains and campaign.status != CampaignStatus.DRAFT.value:
        return domains, [_("Une campagne publiée doit garder au moins un domaine autorisé.")]
    return domains, []


def _merge_dates(old: Dates, new: Dates) -> Dates:
    """Keep a stored date (with its seconds) when the form sent it back unchanged."""
    return Dates(
        **{
            name: old.get(name) if lifecycle.same_minute(old.get(name), new.get(name)) else value
            for name, value in new.as_dict().items()
        }
    )


def _settings_snapshot(campaign: Campaign) -> dict[str, object]:
    return {
        "title": campaign.title,
        "slug": campaign.slug,
        "administration": campaign.administration,
        "call_text": campaign.call_text,
        "allowed_domains": campaign.allowed_domains,
        **dates_of(campaign).as_dict(),
    }
