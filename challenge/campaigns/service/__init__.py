"""Campaigns: every write of this domain (set-up, members, lifecycle) and the organisers' reads.

Each write checks who asks, validates everything before touching a row (bad input changes
nothing), records an audit event with the field diffs and queues its e-mails, in one transaction.

Concurrency:
* set-up forms carry the campaign's ``version``; a save claims it with a conditional UPDATE, so
  of two organisers saving the same form, the second is told to reload instead of overwriting;
* a lifecycle move is ``UPDATE campaign SET status = :to WHERE id = :id AND status = :from``: of
  two beats, or a double click, exactly one wins, and only the winner writes the audit event and
  queues the messages (same transaction), so nothing moves or is sent twice.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_request_context
from flask_babel import force_locale, format_datetime, gettext
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.attributes import set_committed_value

from challenge.access.roles import campaign_ids_with_role, is_organiser
from challenge.accounts.domains import is_domain, normalise_email
from challenge.accounts.models import Membership, Role, User
from challenge.audit import service as audit
from challenge.audit.models import AuditEvent
from challenge.campaigns import charts, lifecycle
from challenge.campaigns.changes import diff, jsonable, list_diff
from challenge.campaigns.default_grid import default_grid
from challenge.campaigns.lifecycle import Dates, Facts, NextStep, Problem, TimelineStep
from challenge.campaigns.models import (
    Campaign,
    CampaignStatus,
    Criterion,
    GridKind,
    ProposalQuestion,
    QuestionKind,
    ScoresVisibility,
)
from challenge.extensions import db
from challenge.jury.models import AssignmentState, Review, ReviewAssignment, ReviewScore
from challenge.notifications import service as outbox
from challenge.notifications.rendering import external_url
from challenge.proposals.models import IN_COMPETITION, Proposal, ProposalStatus, Support
from challenge.timeutils import paris_to_utc, utcnow

log = logging.getLogger(__name__)


@contextmanager
def _babel() -> Iterator[None]:
    """Outside a request (beat, the CLI) Flask-Babel cannot pick a locale: use the default."""
    if has_request_context():
        yield
        return
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def _(text: str, **variables: object) -> str:
    with _babel():
        return gettext(text, **variables)


SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_INVITES = 200
MAX_QUESTIONS = 50
MAX_CRITERIA = 30
MAX_CHOICES = 50
MAX_QUESTION_LENGTH = 20000
SCALE_BOUNDS = (0, 10)
MAX_WEIGHT = 100.0
AUDIT_PAGE_SIZE = 50
MAX_ID = 2**31 - 1  # ids beyond an INTEGER column: not found, rather than a database error
EDITABLE_QUESTION_STATUSES = (CampaignStatus.DRAFT.value, CampaignStatus.OPEN.value)
TEXT_KINDS = (QuestionKind.SHORT_TEXT.value, QuestionKind.LONG_TEXT.value)

# ---------------------------------------------------------------- errors ---------------------


class CampaignNotFound(LookupError):
    """No such campaign (or object of the campaign): pages answer 404."""


class Forbidden(PermissionError):
    """The person may not do this in this campaign: pages answer 403."""


class ValidationFailed(Exception):
    """Bad input, nothing saved. ``errors`` maps a field path (``"criteria.2.weight"``, or
    ``""`` for the whole form) to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class TransitionRefused(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(messages)
        self.messages = messages


def _fail(message: str, field_path: str = "") -> ValidationFailed:
    return ValidationFailed({field_path: [message]})


# ---------------------------------------------------------------- reads and permissions ------


def get_campaign_for_organiser(campaign_id: int, user: User | None) -> Campaign:
    """The campaign, if ``user`` organises it (admins organise every campaign)."""
    if not 0 < campaign_id <= MAX_ID:
        raise CampaignNotFound(campaign_id)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignNotFound(campaign_id)
    if not is_organiser(user, campaign.id):
        raise Forbidden(campaign_id)
    return campaign


def get_public_campaign(slug: str, viewer: User | None = None) -> Campaign:
    """A published campaign by its slug; a draft only for its organisers (``viewer``)."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise CampaignNotFound(slug)
    if campaign.status == CampaignStatus.DRAFT.value and not (
        viewer is not None and is_organiser(viewer, campaign.id)
    ):
        raise CampaignNotFound(slug)
    return campaign


def accepts_submissions(campaign: Campaign, now: datetime | None = None) -> bool:
    """Open, and before the deadline (the server's clock decides, not the page)."""
    now = now or utcnow()
    return (
        campaign.status == CampaignStatus.OPEN.value
        and campaign.deadline_at is not None
        and now < campaign.deadline_at
    )


def may_organise(user: User | None, campaign: Campaign) -> bool:
    return is_organiser(user, campaign.id)


def may_create_campaigns(user: User | None) -> bool:
    return bool(user is not None and getattr(user, "is_admin", False))


def _ensure_organiser(campaign: Campaign, actor: User | None) -> None:
    if not is_organiser(actor, campaign.id):
        raise Forbidden(campaign.id)


def _ensure_editable(campaign: Campaign, actor: User | None) -> None:
    _ensure_organiser(campaign, actor)
    if campaign.status == CampaignStatus.ARCHIVED.value:
        raise _fail(_("Cette campagne est archivée : elle ne peut plus être modifiée."))


def _claim_version(campaign: Campaign, expected: int | None) -> None:
    """Refuse a save made from a page older than the last change (another organiser's)."""
    if expected is None:
        campaign.version = (campaign.version or 0) + 1
        return
    new_version = db.session.scalar(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.version == expected)
        .values(version=Campaign.version + 1)
        .returning(Campaign.version)
        .execution_options(synchronize_session=False)
    )
    if new_version is None:
        db.session.rollback()
        raise _fail(
            _(
                "La campagne a été modifiée entre-temps (par un autre organisateur ou par le "
                "passage automatique d’une étape). Rechargez la page pour repartir de la "
                "dernière version."
            )
        )
    set_committed_value(campaign, "version", new_version)


@dataclass(frozen=True)
class CampaignSummary:
    campaign: Campaign
    proposals: int


def organiser_campaigns(user: User) -> list[CampaignSummary]:
    """The campaigns ``user`` organises (admins: all), with their number of proposals."""
    query = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    if not may_create_campaigns(user):
        ids = campaign_ids_with_role(user, Role.ORGANISER)
        if not ids:
            return []
        query = query.where(Campaign.id.in_(ids))
    campaigns = db.session.scalars(query).all()
    counts = dict(
        db.session.execute(
            select(Proposal.campaign_id, func.count())
            .where(
                Proposal.campaign_id.in_([c.id for c in campaigns]),
                Proposal.status.in_(IN_COMPETITION),
            )
            .group_by(Proposal.campaign_id)
        ).all()
    )
    return [CampaignSummary(c, counts.get(c.id, 0)) for c in campaigns]


def may_see_organiser_pages(user: User | None) -> bool:
    return may_create_campaigns(user) or bool(campaign_ids_with_role(user, Role.ORGANISER))


# ---------------------------------------------------------------- parsing --------------------


def slugify(text: str) -> str:
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", bare).strip("-")
    return slug[:70].strip("-") or "campagne"


def _unique_slug(base: str) -> str:
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


def _quoted(values: list[str]) -> str:
    return ", ".join(f"« {v} »" for v in values[:10]) + ("…" if len(values) > 10 else "")


# ---------------------------------------------------------------- creation and members -------


@dataclass(frozen=True)
class NewCampaign:
    title: str
    administration: str = ""
    organiser_emails: str = ""
    slug: str = ""


def create_campaign(data: NewCampaign, actor: User) -> Campaign:
    """An admin creates a draft with the default grids and invites its organisers."""
    if not may_create_campaigns(actor):
        raise Forbidden("create")
    errors: dict[str, list[str]] = defaultdict(list)
    title = data.title.strip()
    if not title:
        errors["title"].append(_("Saisissez le titre de la campagne."))
    elif len(title) > 200:
        errors["title"].append(_("Le titre ne doit pas dépasser 200 caractères."))
    emails, bad = parse_emails(data.organiser_emails)
    if bad:
        errors["organiser_emails"].append(
            _("Ces adresses ne sont pas valides : %(list)s.", list=_quoted(bad))
        )
    if len(emails) > MAX_INVITES:
        errors["organiser_emails"].append(_("Invitez au plus 200 personnes à la fois."))
    slug = data.slug.strip().lower()
    if slug:
        slug_error = _slug_error(slug, None)
        if slug_error:
            errors["slug"].append(slug_error)
    else:
        slug = _unique_slug(slugify(title or "campagne"))
    if errors:
        raise ValidationFailed(dict(errors))
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
    audit.record(
        "campaign.created",
        actor=actor,
        campaign_id=campaign.id,
        target=campaign,
        details={"title": title, "slug": slug, "organisers": emails},
    )
    _invite(campaign, emails, Role.ORGANISER, actor)
    db.session.commit()
    return campaign


def _slug_error(slug: str, campaign: Campaign | None) -> str | None:
    if not SLUG_RE.match(slug) or not 3 <= len(slug) <= 80:
        return _(
            "L’adresse doit compter de 3 à 80 caractères : lettres minuscules sans accent, "
            "chiffres et tirets (par exemple « appel-2026 »)."
        )
    other = db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
    if other is not None and (campaign is None or other != campaign.id):
        return _("Cette adresse est déjà prise par une autre campagne.")
    return None


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
    """Give a campaign without criteria the default grids (the demo seed uses it)."""
    kinds = set(
        db.session.scalars(select(Criterion.grid).where(Criterion.campaign_id == campaign.id))
    )
    for kind in GridKind:
        if kind.value not in kinds:
            _add_default_grid(campaign, kind.value)


def _local_path(endpoint: str, **values: object) -> str:
    url = urlsplit(external_url(endpoint, **values))
    return url.path + (f"?{url.query}" if url.query else "")


def _invitation_link(campaign: Campaign, role: Role) -> str:
    if role is Role.ORGANISER:
        target = _local_path("campaigns.dashboard", campaign_id=campaign.id)
    elif "jury.workspace" in current_app.view_functions:
        target = _local_path("jury.workspace")
    else:
        target = _local_path("campaigns.public_page", slug=campaign.slug)
    return external_url("accounts.sign_in", next=target)


@dataclass(frozen=True)
class InviteResult:
    invited: list[str]
    already: list[str]


def _invite(campaign: Campaign, emails: list[str], role: Role, actor: User | None) -> InviteResult:
    if not emails:
        return InviteResult([], [])
    already = set(
        db.session.scalars(
            select(Membership.email).where(
                Membership.campaign_id == campaign.id,
                Membership.role == role.value,
                Membership.email.in_(emails),
            )
        )
    )
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    link = _invitation_link(campaign, role)
    now = utcnow()
    invited = []
    for email in emails:
        if email in already:
            continue
        user = users.get(email)
        # An existing account gets the role at once; otherwise at its first sign-in.
        membership = Membership(
            campaign_id=campaign.id,
            email=email,
            role=role.value,
            user_id=user.id if user else None,
            invited_at=now,
            joined_at=now if user else None,
        )
        db.session.add(membership)
        db.session.flush()
        outbox.queue(
            f"campaign_{role.value}_invitation",
            email,
            {
                "campaign_title": campaign.title,
                "administration": campaign.administration,
                "inviter": actor.display_name if actor is not None else "",
                "link": link,
                "public_link": external_url("campaigns.public_page", slug=campaign.slug),
            },
            locale=user.locale if user else "fr",
            user_id=user.id if user else None,
            campaign_id=campaign.id,
            dedup_key=f"invite:campaign:{campaign.id}:{role.value}:{email}:{membership.id}",
        )
        audit.record(
            f"campaign.{role.value}_invited",
            actor=actor,
            campaign_id=campaign.id,
            target=membership,
            details={"email": email},
        )
        invited.append(email)
    return InviteResult(invited, sorted(already))


def invite_members(campaign: Campaign, raw_emails: str, role: Role, actor: User) -> InviteResult:
    """Invite jurors (or co-organisers) by e-mail; addresses already invited are skipped."""
    _ensure_editable(campaign, actor)
    emails, bad = parse_emails(raw_emails)
    if bad:
        raise _fail(_("Ces adresses ne sont pas valides : %(list)s.", list=_quoted(bad)), "emails")
    if not emails:
        raise _fail(_("Saisissez au moins une adresse électronique."), "emails")
    if len(emails) > MAX_INVITES:
        raise _fail(_("Invitez au plus 200 personnes à la fois."), "emails")
    result = _invite(campaign, emails, role, actor)
    try:
        db.session.commit()
    except IntegrityError:
        # A double click: the other request invited them first; nothing is sent twice.
        db.session.rollback()
        return InviteResult([], emails)
    return result


def remove_member(campaign: Campaign, membership_id: int, role: Role, actor: User) -> None:
    _ensure_editable(campaign, actor)
    if not 0 < membership_id <= MAX_ID:
        raise CampaignNotFound(membership_id)
    membership = db.session.scalar(
        select(Membership).where(
            Membership.id == membership_id,
            Membership.campaign_id == campaign.id,
            Membership.role == role.value,
        )
    )
    if membership is None:
        raise CampaignNotFound(membership_id)
    if role is Role.ORGANISER and membership.user_id == actor.id:
        raise _fail(_("Vous ne pouvez pas vous retirer vous-même de l’organisation."))
    if role is Role.JUROR and membership.user_id is not None:
        busy = db.session.scalar(
            select(
                or_(
                    exists().where(
                        ReviewAssignment.campaign_id == campaign.id,
                        ReviewAssignment.juror_id == membership.user_id,
                        ReviewAssignment.state == AssignmentState.ACTIVE.value,
                    ),
                    exists().where(
                        Review.campaign_id == campaign.id, Review.juror_id == membership.user_id
                    ),
                )
            )
        )
        if busy:
            raise _fail(
                _(
                    "Ce juré a des propositions attribuées ou des évaluations : retirez d’abord "
                    "ses attributions."
                )
            )
    audit.record(
        f"campaign.{role.value}_removed",
        actor=actor,
        campaign_id=campaign.id,
        target=membership,
        details={"email": membership.email},
    )
    db.session.delete(membership)
    db.session.commit()


@dataclass(frozen=True)
class MemberRow:
    id: int
    email: str
    name: str
    active: bool
    invited_at: datetime


def members(campaign: Campaign, role: Role) -> list[MemberRow]:
    rows = db.session.execute(
        select(Membership, User.first_name, User.last_name)
        .outerjoin(User, User.id == Membership.user_id)
        .where(Membership.campaign_id == campaign.id, Membership.role == role.value)
        .order_by(Membership.email)
    ).all()
    return [
        MemberRow(
            id=m.id,
            email=m.email,
            name=f"{first or ''} {last or ''}".strip(),
            active=m.user_id is not None,
            invited_at=m.invited_at,
        )
        for m, first, last in rows
    ]


# ---------------------------------------------------------------- settings -------------------


@dataclass(frozen=True)
class Settings:
    title: str
    administration: str
    call_text: str
    allowed_domains: str
    dates: Dates
    slug: str = ""


def dates_of(campaign: Campaign) -> Dates:
    return Dates(**{name: getattr(campaign, name) for name in lifecycle.DATE_FIELDS})


def _date_label(name: str) -> str:
    labels = {
        "opens_at": _("la date d’ouverture"),
        "deadline_at": _("la date limite de dépôt"),
        "review_ends_at": _("la fin de l’évaluation"),
        "pitch_at": _("la journée de pitch"),
        "results_at": _("l’annonce des résultats"),
    }
    return labels.get(name, name)


def problem_message(problem: Problem, dates: Dates | None = None) -> str:
    if problem.code == "before" and problem.other:
        other = dates.get(problem.other) if dates else None
        with _babel():
            when = f" ({format_datetime(other, 'd MMMM y HH:mm')})" if other else ""
        return _(
            "Cette date doit venir après %(other)s%(when)s.",
            other=_date_label(problem.other),
            when=when,
        )
    messages = {
        "past": _("Cette date est passée : choisissez une date à venir."),
        "deadline_required": _("Une campagne publiée doit garder une date limite de dépôt."),
        "deadline_missing": _("Fixez la date limite de dépôt."),
        "deadline_past": _("La date limite de dépôt est passée : fixez-en une à venir."),
        "domains_missing": _(
            "Indiquez au moins un domaine de messagerie dont les agents peuvent proposer."
        ),
        "review_grid_empty": _("La grille d’évaluation écrite doit compter au moins un critère."),
        "pitch_grid_empty": _("La grille du pitch doit compter au moins un critère."),
        "reviews_started": _(
            "Des jurés ont commencé à évaluer : le dépôt ne peut plus être rouvert."
        ),
        "not_allowed": _("Ce passage d’étape n’est pas possible depuis l’étape actuelle."),
    }
    return messages.get(problem.code, problem.code)


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


def update_settings(
    campaign: Campaign,
    data: Settings,
    actor: User,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> dict[str, list[object]]:
    """Save the call's set-up. Returns the field diffs (empty: nothing changed)."""
    _ensure_editable(campaign, actor)
    now = now or utcnow()
    errors: dict[str, list[str]] = defaultdict(list)
    title = data.title.strip()
    if not title:
        errors["title"].append(_("Saisissez le titre de la campagne."))
    elif len(title) > 200:
        errors["title"].append(_("Le titre ne doit pas dépasser 200 caractères."))
    administration = data.administration.strip()
    if len(administration) > 200:
        errors["administration"].append(_("Ce champ ne doit pas dépasser 200 caractères."))
    if len(data.call_text) > 50000:
        errors["call_text"].append(_("Le texte de l’appel ne doit pas dépasser 50 000 caractères."))
    slug = (data.slug or campaign.slug).strip().lower()
    if slug != campaign.slug:
        if campaign.status != CampaignStatus.DRAFT.value:
            errors["slug"].append(
                _("L’adresse de la page ne peut plus changer une fois la campagne publiée.")
            )
        else:
            slug_error = _slug_error(slug, campaign)
            if slug_error:
                errors["slug"].append(slug_error)
    domains, bad = parse_domains(data.allowed_domains)
    if bad:
        errors["allowed_domains"].append(
            _(
                "Ces valeurs ne sont pas des noms de domaine : %(list)s. Saisissez par exemple "
                "« francetravail.fr », sans le « @ » ni l’adresse complète.",
                list=_quoted(bad),
            )
        )
    elif not domains and campaign.status != CampaignStatus.DRAFT.value:
        errors["allowed_domains"].append(
            _("Une campagne publiée doit garder au moins un domaine autorisé.")
        )
    old_dates = dates_of(campaign)
    new_dates = _merge_dates(old_dates, data.dates)
    for problem in lifecycle.validate_dates(new_dates, old_dates, now, campaign.status):
        errors[problem.field or ""].append(problem_message(problem, new_dates))
    if errors:
        raise ValidationFailed(dict(errors))

    before = _settings_snapshot(campaign)
    after = {
        "title": title,
        "slug": slug,
        "administration": administration,
        "call_text": data.call_text,
        "allowed_domains": ",".join(domains),
        **new_dates.as_dict(),
    }
    return _save_changes(
        campaign, before, after, "campaign.settings_updated", actor, expected_version
    )


def _save_changes(
    campaign: Campaign,
    before: dict[str, object],
    after: dict[str, object],
    action: str,
    actor: User,
    expected_version: int | None,
) -> dict[str, list[object]]:
    """Write ``after`` on the campaign where it differs from ``before``, audit the diff as
    ``action`` and commit. Returns the diff (empty: nothing written, the version unclaimed)."""
    changes = diff(before, after)
    if not changes:
        return {}
    _claim_version(campaign, expected_version)
    for name, value in after.items():
        setattr(campaign, name, value)
    audit.record(
        action, actor=actor, campaign_id=campaign.id, target=campaign, details={"changes": changes}
    )
    db.session.commit()
    return changes


# ---------------------------------------------------------------- jury settings --------------


@dataclass(frozen=True)
class JurySettings:
    reviews_per_proposal: int | None
    blind_review: bool
    scores_visibility: str
    same_administration_conflict: bool
    allow_supports: bool


def update_jury_settings(
    campaign: Campaign, data: JurySettings, actor: User, *, expected_version: int | None = None
) -> dict[str, list[object]]:
    _ensure_editable(campaign, actor)
    errors: dict[str, list[str]] = {}
    if data.reviews_per_proposal is None or not 1 <= data.reviews_per_proposal <= 20:
        errors["reviews_per_proposal"] = [
            _("Indiquez un nombre d’évaluations par proposition entre 1 et 20.")
        ]
    if data.scores_visibility not in {v.value for v in ScoresVisibility}:
        errors["scores_visibility"] = [_("Choisissez quand les jurés voient les autres notes.")]
    if errors:
        raise ValidationFailed(errors)
    names = (
        "reviews_per_proposal",
        "blind_review",
        "scores_visibility",
        "same_administration_conflict",
        "allow_supports",
    )
    before = {name: getattr(campaign, name) for name in names}
    after = {name: getattr(data, name) for name in names}
    return _save_changes(
        campaign, before, after, "campaign.jury_settings_updated", actor, expected_version
    )


# ---------------------------------------------------------------- extra questions ------------


@dataclass(frozen=True)
class QuestionInput:
    id: int | None
    label: str
    kind: str
    help_text: str = ""
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    position: int | None = None
    remove: bool = False


def _question_snapshot(q: ProposalQuestion) -> dict[str, object]:
    return {
        "position": q.position,
        "label": q.label,
        "help_text": q.help_text,
        "kind": q.kind,
        "required": q.required,
        "max_length": q.max_length,
        "choices": list(q.choices or []),
    }


def _clean_question(index: int, q: QuestionInput, errors: dict[str, list[str]]) -> dict:
    prefix = f"questions.{index}."
    label = q.label.strip()
    if not label:
        errors[prefix + "label"].append(_("Saisissez l’intitulé de la question."))
    elif len(label) > 300:
        errors[prefix + "label"].append(_("L’intitulé ne doit pas dépasser 300 caractères."))
    if len(q.help_text) > 2000:
        errors[prefix + "help_text"].append(_("L’aide ne doit pas dépasser 2 000 caractères."))
    if q.kind not in {k.value for k in QuestionKind}:
        errors[prefix + "kind"].append(_("Choisissez le type de réponse."))
    max_length = q.max_length if q.kind in TEXT_KINDS else None
    if max_length is not None and not 1 <= max_length <= MAX_QUESTION_LENGTH:
        errors[prefix + "max_length"].append(
            _("Indiquez une longueur entre 1 et 20 000 caractères, ou laissez vide.")
        )
    choices: list[str] = []
    if q.kind == QuestionKind.SINGLE_CHOICE.value:
        for choice in q.choices:
            choice = choice.strip()
            if choice and choice not in choices:
                choices.append(choice)
        if len(choices) < 2:
            errors[prefix + "choices"].append(_("Proposez au moins deux choix, un par ligne."))
        elif len(choices) > MAX_CHOICES or any(len(c) > 200 for c in choices):
            errors[prefix + "choices"].append(
                _("Proposez au plus 50 choix de 200 caractères au plus chacun.")
            )
    return {
        "label": label,
        "help_text": q.help_text.strip(),
        "kind": q.kind,
        "required": bool(q.required),
        "max_length": max_length,
        "choices": choices,
    }


def _order(items: list[tuple[int, object, dict]]) -> list[tuple[int, object, dict]]:
    """Sort by the order typed by the organiser (blank: where it stands), stably."""
    return sorted(
        items,
        key=lambda item: (
            item[1].position if item[1].position is not None else item[0],  # type: ignore[attr-defined]
            item[0],
        ),
    )


def save_questions(
    campaign: Campaign,
    questions: list[QuestionInput],
    actor: User,
    *,
    expected_version: int | None = None,
) -> dict[str, object]:
    """Replace the extra questions of the proposal form (add, edit, remove, reorder)."""
    _ensure_editable(campaign, actor)
    if campaign.status not in EDITABLE_QUESTION_STATUSES:
        raise _fail(_("Le dépôt est clos : les questions du formulaire ne peuvent plus changer."))
    existing = {q.id: q for q in campaign.questions}
    errors: dict[str, list[str]] = defaultdict(list)
    kept: list[tuple[int, QuestionInput, dict]] = []
    for index, q in enumerate(questions):
        if q.id is not None and q.id not in existing:
            raise CampaignNotFound(q.id)
        if q.remove:
            continue
        kept.append((index, q, _clean_question(index, q, errors)))
    if len(kept) > MAX_QUESTIONS:
        errors[""].append(_("Le formulaire peut compter au plus 50 questions."))
    if errors:
        raise ValidationFailed(dict(errors))

    before = {q.id: _question_snapshot(q) for q in existing.values()}
    kept_ids = {q.id for _i, q, _v in kept if q.id is not None}
    for question_id, question in existing.items():
        if question_id not in kept_ids:
            db.session.delete(question)
    for position, (_index, q, values) in enumerate(_order(kept)):
        question = existing.get(q.id) if q.id is not None else None
        if question is None:
            question = ProposalQuestion(campaign_id=campaign.id)
            db.session.add(question)
        question.position = position
        for name, value in values.items():
            setattr(question, name, value)
    db.session.flush()
    db.session.expire(campaign, ["questions"])
    after = {q.id: _question_snapshot(q) for q in campaign.questions}
    return _keep_written_changes(
        campaign, before, after, "campaign.questions_updated", actor, expected_version
    )


def _keep_written_changes(
    campaign: Campaign,
    before: dict[int, dict[str, object]],
    after: dict[int, dict[str, object]],
    action: str,
    actor: User,
    expected_version: int | None,
    **details: object,
) -> dict[str, object]:
    """The rows written (flushed) since ``before`` are kept if ``after`` differs: the version is
    claimed, the diff audited as ``action`` (after ``details``) and committed. Otherwise they are
    rolled back. Returns the diff (empty: nothing changed)."""
    changes = list_diff(before, after)
    if not changes:
        db.session.rollback()
        return {}
    _claim_version(campaign, expected_version)
    audit.record(
        action,
        actor=actor,
        campaign_id=campaign.id,
        target=campaign,
        details={**details, **changes},
    )
    db.session.commit()
    return changes


# ---------------------------------------------------------------- scoring grids --------------


@dataclass(frozen=True)
class CriterionInput:
    id: int | None
    label: str
    description: str = ""
    weight: float | None = 1.0
    levels: tuple[str, ...] = ()
    position: int | None = None
    remove: bool = False


def grid_kind(kind: str) -> str:
    if kind not in {k.value for k in GridKind}:
        raise CampaignNotFound(kind)
    return kind


def grid_in_use(campaign_id: int, kind: str) -> bool:
    """A grid is frozen once a review of its phase exists or a score uses one of its criteria."""
    phase = "written" if kind == GridKind.REVIEW.value else "pitch"
    return bool(
        db.session.scalar(
            select(
                or_(
                    exists().where(Review.campaign_id == campaign_id, Review.phase == phase),
                    exists()
                    .where(ReviewScore.criterion_id == Criterion.id)
                    .where(Criterion.campaign_id == campaign_id, Criterion.grid == kind),
                )
            )
        )
    )


def _criterion_snapshot(c: Criterion) -> dict[str, object]:
    return {
        "position": c.position,
        "label": c.label,
        "description": c.description,
        "weight": c.weight,
        "scale_min": c.scale_min,
        "scale_max": c.scale_max,
        "level_descriptions": list(c.level_descriptions or []),
    }


def _clean_criterion(
    index: int, c: CriterionInput, levels_wanted: int | None, errors: dict[str, list[str]]
) -> dict:
    prefix = f"criteria.{index}."
    label = c.label.strip()
    if not label:
        errors[prefix + "label"].append(_("Saisissez l’intitulé du critère."))
    elif len(label) > 200:
        errors[prefix + "label"].append(_("L’intitulé ne doit pas dépasser 200 caractères."))
    if len(c.description) > 2000:
        errors[prefix + "description"].append(
            _("La description ne doit pas dépasser 2 000 caractères.")
        )
    weight = c.weight
    if weight is None or not math.isfinite(weight) or weight <= 0:
        errors[prefix + "weight"].append(
            _("Le poids doit être un nombre strictement positif, par exemple 1 ou 1,5.")
        )
    elif weight > MAX_WEIGHT:
        errors[prefix + "weight"].append(_("Le poids ne doit pas dépasser 100."))
    levels = [line.strip() for line in c.levels if line.strip()]
    if levels and levels_wanted is not None and len(levels) != levels_wanted:
        errors[prefix + "levels"].append(
            _(
                "Décrivez chaque niveau de l’échelle, soit %(n)s lignes, ou laissez vide.",
                n=levels_wanted,
            )
        )
    if any(len(line) > 300 for line in levels):
        errors[prefix + "levels"].append(_("Chaque niveau tient en 300 caractères au plus."))
    return {
        "label": label,
        "description": c.description.strip(),
        "weight": weight,
        "level_descriptions": levels,
    }


def save_grid(
    campaign: Campaign,
    kind: str,
    scale_min: int | None,
    scale_max: int | None,
    criteria: list[CriterionInput],
    actor: User,
    *,
    expected_version: int | None = None,
) -> dict[str, object]:
    """Replace one scoring grid (its scale and criteria), unless a review already uses it."""
    kind = grid_kind(kind)
    _ensure_editable(campaign, actor)
    if grid_in_use(campaign.id, kind):
        raise _fail(_("Des évaluations utilisent déjà cette grille : elle ne peut plus changer."))
    errors: dict[str, list[str]] = defaultdict(list)
    low, high = SCALE_BOUNDS
    if scale_min is None or not low <= scale_min <= high:
        errors["scale_min"].append(_("Indiquez une note minimale entre 0 et 10."))
    if scale_max is None or not low <= scale_max <= high:
        errors["scale_max"].append(_("Indiquez une note maximale entre 0 et 10."))
    elif scale_min is not None and scale_max <= scale_min:
        errors["scale_max"].append(_("La note maximale doit dépasser la note minimale."))
    levels_wanted = (
        scale_max - scale_min + 1
        if not errors and scale_min is not None and scale_max is not None
        else None
    )
    existing = {c.id: c for c in campaign.criteria if c.grid == kind}
    kept: list[tuple[int, CriterionInput, dict]] = []
    for index, c in enumerate(criteria):
        if c.id is not None and c.id not in existing:
            raise CampaignNotFound(c.id)
        if c.remove:
            continue
        kept.append((index, c, _clean_criterion(index, c, levels_wanted, errors)))
    if not kept:
        errors["criteria"].append(_("La grille doit compter au moins un critère."))
    elif len(kept) > MAX_CRITERIA:
        errors["criteria"].append(_("La grille peut compter au plus 30 critères."))
    if errors:
        raise ValidationFailed(dict(errors))

    before = {c.id: _criterion_snapshot(c) for c in existing.values()}
    kept_ids = {c.id for _i, c, _v in kept if c.id is not None}
    # Positions are unique per grid: park the kept rows on negative positions first.
    for offset, (criterion_id, criterion) in enumerate(existing.items()):
        if criterion_id in kept_ids:
            criterion.position = -1 - offset
        else:
            db.session.delete(criterion)
    db.session.flush()
    new_rows = []
    for position, (_index, c, values) in enumerate(_order(kept)):
        criterion = existing.get(c.id) if c.id is not None else None
        if criterion is None:
            criterion = Criterion(campaign_id=campaign.id, grid=kind)
            new_rows.append(criterion)
        criterion.position = position
        criterion.scale_min = scale_min
        criterion.scale_max = scale_max
        for name, value in values.items():
            setattr(criterion, name, value)
    db.session.flush()
    db.session.add_all(new_rows)
    db.session.flush()
    db.session.expire(campaign, ["criteria"])
    after = {c.id: _criterion_snapshot(c) for c in campaign.criteria if c.grid == kind}
    return _keep_written_changes(
        campaign, before, after, "campaign.grid_updated", actor, expected_version, grid=kind
    )


# ---------------------------------------------------------------- lifecycle ------------------


def facts(campaign: Campaign, now: datetime | None = None) -> Facts:
    """What the lifecycle guards need to know about a campaign (two small queries)."""
    grid_sizes = dict(
        db.session.execute(
            select(Criterion.grid, func.count())
            .where(Criterion.campaign_id == campaign.id)
            .group_by(Criterion.grid)
        ).all()
    )
    written_reviews = db.session.scalar(
        select(func.count())
        .select_from(Review)
        .where(Review.campaign_id == campaign.id, Review.phase == "written")
    )
    return Facts(
        status=campaign.status,
        dates=dates_of(campaign),
        domains=tuple(campaign.domains),
        review_criteria=grid_sizes.get(GridKind.REVIEW.value, 0),
        pitch_criteria=grid_sizes.get(GridKind.PITCH.value, 0),
        now=now or utcnow(),
        written_reviews=written_reviews or 0,
    )


@dataclass(frozen=True)
class TransitionOption:
    target: str
    problems: list[str]
    backward: bool


def transition_options(campaign: Campaign, campaign_facts: Facts) -> list[TransitionOption]:
    return [
        TransitionOption(
            target=target,
            problems=[
                problem_message(p, campaign_facts.dates)
                for p in lifecycle.guard(campaign.status, target, campaign_facts)
            ],
            backward=lifecycle.BACKWARD.get(campaign.status) == target,
        )
        for target in lifecycle.allowed_targets(campaign.status)
    ]


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
    move was already made (a double click, another organiser, beat). Raises TransitionRefused
    with the reasons when a guard says no. ``actor`` None is the system (beat).
    """
    if actor is not None:
        _ensure_organiser(campaign, actor)
    now = now or utcnow()
    source = expected_from or campaign.status
    if source != campaign.status:
        return False
    if target not in lifecycle.ORDER:
        raise TransitionRefused([problem_message(Problem("not_allowed"))])
    current = facts(campaign, now)
    problems = lifecycle.guard(source, target, current)
    if problems:
        raise TransitionRefused([problem_message(p, current.dates) for p in problems])
    return _move(campaign, source, target, actor, now, automatic=False)


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
    new_version = db.session.scalar(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.status == source)
        .values(**values)
        .returning(Campaign.version)
        .execution_options(synchronize_session=False)
    )
    if new_version is None:
        db.session.rollback()
        return False
    changes: dict[str, list[object]] = {"status": [source, target]}
    if opened_early:
        changes["opens_at"] = [jsonable(old_opens_at), jsonable(now)]
    audit.record(
        "campaign.status_changed",
        actor=actor,
        campaign_id=campaign.id,
        target=campaign,
        details={"changes": changes, "automatic": automatic},
    )
    _queue_transition_messages(campaign, source, target, automatic, new_version)
    db.session.commit()
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
    campaign: Campaign, source: str, target: str, automatic: bool, version: int
) -> None:
    key = f"campaign:{campaign.id}:{source}-{target}:v{version}"
    if target == lifecycle.REVIEW and source == lifecycle.OPEN:
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
        for email, user_id, locale in _recipients(campaign.id, Role.JUROR):
            outbox.queue(
                "campaign_review_started",
                email,
                {
                    "campaign_title": campaign.title,
                    "proposals": submitted or 0,
                    "review_ends_at": campaign.review_ends_at,
                    "link": workspace,
                },
                locale=locale,
                user_id=user_id,
                campaign_id=campaign.id,
                dedup_key=f"{key}:juror:{email}",
            )
    if automatic:
        for email, user_id, locale in _recipients(campaign.id, Role.ORGANISER):
            outbox.queue(
                "campaign_status_changed",
                email,
                {
                    "campaign_title": campaign.title,
                    "source": source,
                    "target": target,
                    "link": external_url("campaigns.dashboard", campaign_id=campaign.id),
                },
                locale=locale,
                user_id=user_id,
                campaign_id=campaign.id,
                dedup_key=f"{key}:organiser:{email}",
            )


def advance_due_campaigns(now: datetime | None = None) -> list[tuple[int, str, str]]:
    """Beat's job: take every automatic step that is due. Safe to run anywhere, any number of
    times, concurrently. Returns the moves made by this call (campaign id, from, to)."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Campaign)
        .where(
            or_(
                and_(
                    Campaign.status == CampaignStatus.OPEN.value,
                    Campaign.deadline_at <= now,
                ),
                and_(
                    Campaign.status == CampaignStatus.DRAFT.value,
                    Campaign.opens_at <= now,
                ),
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
        except SQLAlchemyError:
            # Another process holds the row (SQLite) or the database hiccupped: next beat.
            db.session.rollback()
            log.exception("campaign %s: automatic step failed, will retry", campaign_id)
    db.session.rollback()  # end the read transaction
    return moved


# ---------------------------------------------------------------- dashboard ------------------

PROPOSAL_STATUS_ORDER = tuple(s.value for s in ProposalStatus)


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


TOP_GROUPS = 20


def _hour_bucket(column):  # type: ignore[no-untyped-def]
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", column)


def _grouped(column, campaign_id: int) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    rows = db.session.execute(
        select(column, func.count())
        .where(Proposal.campaign_id == campaign_id, Proposal.status.in_(IN_COMPETITION))
        .group_by(column)
        .order_by(func.count().desc(), column)
    ).all()
    return [(name or "", count) for name, count in rows]


def dashboard(campaign: Campaign, now: datetime | None = None) -> Dashboard:
    """Every figure from SQL aggregates: the same queries for 10 or 10,000 proposals."""
    now = now or utcnow()
    cid = campaign.id
    by_status = dict(
        db.session.execute(
            select(Proposal.status, func.count())
            .where(Proposal.campaign_id == cid)
            .group_by(Proposal.status)
        ).all()
    )
    bucket = _hour_bucket(Proposal.submitted_at)
    hourly = [
        (datetime.strptime(hour, "%Y-%m-%d %H"), count)
        for hour, count in db.session.execute(
            select(bucket, func.count())
            .where(
                Proposal.campaign_id == cid,
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
    per_day = charts.per_paris_day(hourly, first, last)
    chart = charts.bar_chart([(d.strftime("%d/%m"), n) for d, n in per_day]) if per_day else None
    by_administration = _grouped(Proposal.administration, cid)
    by_region = _grouped(Proposal.region, cid)
    in_competition = sum(by_status.get(s, 0) for s in IN_COMPETITION)
    other_groups = {
        "administration": sum(n for _name, n in by_administration[TOP_GROUPS:]),
        "region": sum(n for _name, n in by_region[TOP_GROUPS:]),
    }

    assigned = (
        select(ReviewAssignment.juror_id, func.count().label("n"))
        .where(
            ReviewAssignment.campaign_id == cid,
            ReviewAssignment.state == AssignmentState.ACTIVE.value,
        )
        .group_by(ReviewAssignment.juror_id)
        .subquery()
    )
    submitted = (
        select(Review.juror_id, func.count().label("n"))
        .where(Review.campaign_id == cid, Review.phase == "written", Review.status == "submitted")
        .group_by(Review.juror_id)
        .subquery()
    )
    juror_rows = db.session.execute(
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
        .where(Membership.campaign_id == cid, Membership.role == Role.JUROR.value)
        .order_by(Membership.email)
    ).all()
    jurors = [
        JurorProgress(
            email=email,
            name=f"{first or ''} {last or ''}".strip(),
            active=user_id is not None,
            assigned=n_assigned or 0,
            submitted=n_submitted or 0,
        )
        for email, user_id, first, last, n_assigned, n_submitted in juror_rows
    ]
    supports = db.session.scalar(
        select(func.count())
        .select_from(Support)
        .join(Proposal, Proposal.id == Support.proposal_id)
        .where(Proposal.campaign_id == cid)
    )
    current = facts(campaign, now)
    next_step = lifecycle.next_automatic_step(current)
    return Dashboard(
        by_status=[(s, by_status.get(s, 0)) for s in PROPOSAL_STATUS_ORDER],
        total=sum(by_status.values()),
        in_competition=in_competition,
        per_day=per_day,
        chart=chart,
        by_administration=by_administration[:TOP_GROUPS],
        by_region=by_region[:TOP_GROUPS],
        jurors=jurors,
        reviews_assigned=sum(j.assigned for j in jurors),
        reviews_submitted=sum(j.submitted for j in jurors),
        supports=supports or 0,
        timeline=lifecycle.timeline(campaign.status, current.dates),
        next_step=next_step,
        next_step_problems=[
            problem_message(p, current.dates) for p in (next_step.blocked_by if next_step else ())
        ],
        options=transition_options(campaign, current),
        accepts_submissions=accepts_submissions(campaign, now),
        other_groups=other_groups,
    )


# ---------------------------------------------------------------- audit log ------------------


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    start: date | None = None  # Paris days, inclusive
    end: date | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int
    actions: list[str]
    actors: list[str]


def audit_log(campaign: Campaign, filters: AuditFilters, page: int = 1) -> AuditPage:
    """The campaign's audit events, newest first, filtered and paginated (four queries)."""
    conditions = [AuditEvent.campaign_id == campaign.id]
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.actor:
        conditions.append(AuditEvent.actor_label == filters.actor)
    if filters.start:
        conditions.append(AuditEvent.at >= paris_to_utc(datetime.combine(filters.start, time())))
    if filters.end:
        day_after = datetime.combine(filters.end + timedelta(days=1), time())
        conditions.append(AuditEvent.at < paris_to_utc(day_after))
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    pages = max((total + AUDIT_PAGE_SIZE - 1) // AUDIT_PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    events = db.session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset((page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    actions = list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.campaign_id == campaign.id)
            .group_by(AuditEvent.action)
            .order_by(AuditEvent.action)
        )
    )
    actors = list(
        db.session.scalars(
            select(AuditEvent.actor_label)
            .where(AuditEvent.campaign_id == campaign.id)
            .group_by(AuditEvent.actor_label)
            .order_by(AuditEvent.actor_label)
        )
    )
    return AuditPage(list(events), total, page, pages, actions, actors)
