"""What organisers type as lists of addresses and domains, and a campaign's page address."""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import or_, select

from challenge.access.domains import is_domain, normalise_email
from challenge.campaigns.models import Campaign
from challenge.campaigns.texts import _
from challenge.extensions import db

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", bare).strip("-")
    return slug[:70].strip("-") or "campagne"


def unique_slug(base: str) -> str:
    taken = set(
        db.session.scalars(
            select(Campaign.slug).where(or_(Campaign.slug == base, Campaign.slug.like(base + "-%")))
        )
    )
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def slug_error(slug: str, campaign: Campaign | None) -> str | None:
    """Why ``slug`` cannot be the address of ``campaign`` (None: a new one), or None."""
    if not SLUG_RE.match(slug) or not 3 <= len(slug) <= 80:
        return _(
            "L’adresse doit compter de 3 à 80 caractères : lettres minuscules sans accent, "
            "chiffres et tirets (par exemple « appel-2026 »)."
        )
    other = db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
    if other is not None and (campaign is None or other != campaign.id):
        return _("Cette adresse est déjà prise par une autre campagne.")
    return None


def _split(raw: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", raw or "") if part]


def parse_domains(raw: str) -> tuple[list[str], list[str]]:
    """(valid domains, normalised and without duplicates; the parts that are not domains)."""
    valid: list[str] = []
    invalid: list[str] = []
    for part in _split(raw):
        domain = part.strip().lower().lstrip("@").rstrip(".")
        if not is_domain(domain):
            invalid.append(part)
        elif domain not in valid:
            valid.append(domain)
    return valid, invalid


def parse_emails(raw: str) -> tuple[list[str], list[str]]:
    valid: list[str] = []
    invalid: list[str] = []
    for part in _split(raw):
        address = normalise_email(part.strip("<>"))
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            invalid.append(part)
            continue
        if len(address) > 254:
            invalid.append(part)
        elif address not in valid:
            valid.append(address)
    return valid, invalid
