"""Agents' proposals: every write of this domain, with its permission check, audit event and mail.

Who may see a proposal: its authors (the submitter and the co-authors invited by e-mail, matched
on the address they sign in with); once submitted, the campaign's organisers and the jurors
assigned to it without a conflict (:func:`may_read`). Everyone else gets a 404, as if it did not
exist. The deadline is checked here, at the moment of the write, never only in the page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Forbidden as HTTPForbidden
from werkzeug.exceptions import NotFound as HTTPNotFound

from challenge.access.roles import is_organiser
from challenge.accounts.domains import domain_allowed, normalise_email
from challenge.accounts.models import User
from challenge.audit import service as audit
from challenge.campaigns.models import PUBLIC_STATUSES, Campaign, CampaignStatus, ProposalQuestion
from challenge.extensions import db
from challenge.notifications import service as outbox
from challenge.notifications.rendering import external_url
from challenge.proposals import storage
from challenge.proposals.models import (
    IN_COMPETITION,
    MAX_LENGTHS,
    MAX_TESTIMONY_LENGTH,
    Attachment,
    AuthorRole,
    Proposal,
    ProposalAuthor,
    ProposalStatus,
    ProposalVersion,
    Support,
)
from challenge.proposals.timeline import Progress, progress
from challenge.timeutils import utcnow

log = logging.getLogger(__name__)

TEXT_FIELDS = (
    "title",
    "irritant",
    "workaround",
    "solution",
    "impact",
    "first_users",
    "administration",
    "service",
    "region",
)
BOOL_FIELDS = ("commitment_released", "commitment_manager_informed")
CONTENT_FIELDS = TEXT_FIELDS + BOOL_FIELDS
REQUIRED_TO_SUBMIT = ("title", "irritant", "solution", "impact", "administration") + BOOL_FIELDS

FIELD_LABELS = {
    "title": _l("Titre"),
    "irritant": _l("L’irritant"),
    "workaround": _l("Comment on fait aujourd’hui"),
    "solution": _l("L’idée de solution"),
    "impact": _l("L’impact attendu et sa mesure"),
    "first_users": _l("Premiers utilisateurs et partenaires"),
    "administration": _l("Administration"),
    "service": _l("Service ou direction"),
    "region": _l("Région"),
    "commitment_released": _l("Disponible six mois"),
    "commitment_manager_informed": _l("Responsable informé"),
    "attachments": _l("Pièces jointes"),
    "authors": _l("Co-auteurs"),
    "status": _l("Statut"),
}
MISSING_MESSAGES = {
    "title": _l("Donnez un titre à votre proposition."),
    "irritant": _l("Décrivez l’irritant : c’est le cœur de votre proposition."),
    "solution": _l("Décrivez votre idée de solution, même à grands traits."),
    "impact": _l("Dites ce qui changerait et comment on pourrait le mesurer."),
    "administration": _l("Indiquez votre administration."),
    "commitment_released": _l(
        "Pour envoyer votre proposition, vous devez être prêt à y consacrer six mois."
    ),
    "commitment_manager_informed": _l(
        "Pour envoyer votre proposition, votre responsable doit en être informé."
    ),
}
DEFAULT_SHORT_ANSWER = 300
DEFAULT_LONG_ANSWER = 4000
MAX_COAUTHORS = 10
MAX_ATTACHMENTS = 10
IRRITANTS_PAGE_SIZE = 20
MAX_SEARCH_LENGTH = 100
YES, NO = "yes", "no"

if TYPE_CHECKING:
    from challenge.access.outcomes import AgentOutcome


# ---------------------------------------------------------------- errors ----------------------


class ProposalError(Exception):
    """A refusal the page explains; nothing was written."""


class NotFound(ProposalError, HTTPNotFound):
    """Unknown, or not visible to the person asking: the same answer for both."""


class Forbidden(ProposalError, HTTPForbidden):
    """An author who may not do this (only the submitter sends, withdraws, invites)."""


class DomainNotAllowed(ProposalError):
    def __init__(self, campaign: Campaign, email: str) -> None:
        super().__init__(email)
        self.campaign = campaign
        self.email = email


class CampaignClosed(ProposalError):
    def __init__(self, campaign: Campaign) -> None:
        super().__init__(campaign.slug)
        self.campaign = campaign


class Invalid(ProposalError):
    """Bad input: ``errors`` maps a field name to the message shown beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: object
    after: object


class Conflict(ProposalError):
    """Someone saved since the form was opened: nothing was written, here is what they changed."""

    def __init__(self, proposal: Proposal, changes: list[FieldChange], editors: list[str]) -> None:
        super().__init__(proposal.id)
        self.proposal = proposal
        self.changes = changes
        self.editors = editors
        self.current_version = proposal.version


# ---------------------------------------------------------------- input -----------------------


@dataclass
class ProposalInput:
    """What an author typed. ``answers`` maps str(question id) to a text, a choice or yes/no."""

    title: str = ""
    irritant: str = ""
    workaround: str = ""
    solution: str = ""
    impact: str = ""
    first_users: str = ""
    administration: str = ""
    service: str = ""
    region: str = ""
    commitment_released: bool = False
    commitment_manager_informed: bool = False
    answers: dict[str, str] = field(default_factory=dict)

    def values(self) -> dict[str, object]:
        data: dict[str, object] = {name: getattr(self, name) for name in CONTENT_FIELDS}
        data["answers"] = dict(self.answers)
        return data


def clean_text(value: str | None, *, single_line: bool = False) -> str:
    """Strip, unify line ends (a browser counts \\r\\n as one character), drop control bytes."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if ch in "\n\t" or ch >= " " and ch != "\x7f")
    if single_line:
        value = " ".join(value.split())
    return value.strip()


def question_key(question: ProposalQuestion) -> str:
    return str(question.id)


def answer_max_length(question: ProposalQuestion) -> int:
    if question.max_length:
        return question.max_length
    return DEFAULT_LONG_ANSWER if question.kind == "long_text" else DEFAULT_SHORT_ANSWER


def validate(data: ProposalInput, questions: Sequence[ProposalQuestion]) -> ProposalInput:
    """Clean the input and check lengths and choices; raise Invalid with one message per field."""
    errors: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = clean_text(getattr(data, name), single_line=name in ("title", "administration"))
        setattr(data, name, value)
        limit = MAX_LENGTHS[name]
        if len(value) > limit:
            errors[name] = str(
                _l(
                    "Ce texte fait %(length)s caractères : %(limit)s au maximum.",
                    length=len(value),
                    limit=limit,
                )
            )
    data.commitment_released = bool(data.commitment_released)
    data.commitment_manager_informed = bool(data.commitment_manager_informed)
    answers: dict[str, str] = {}
    for question in questions:
        key = question_key(question)
        value = clean_text(
            str(data.answers.get(key) or ""), single_line=question.kind == "short_text"
        )
        if question.kind in ("short_text", "long_text"):
            limit = answer_max_length(question)
            if len(value) > limit:
                errors[f"question_{key}"] = str(
                    _l(
                        "Ce texte fait %(length)s caractères : %(limit)s au maximum.",
                        length=len(value),
                        limit=limit,
                    )
                )
        elif question.kind == "single_choice":
            if value and value not in [str(c) for c in question.choices or []]:
                errors[f"question_{key}"] = str(_l("Choisissez une des réponses proposées."))
        elif question.kind == "yes_no" and value not in ("", YES, NO):
            errors[f"question_{key}"] = str(_l("Répondez par oui ou par non."))
        if value:
            answers[key] = value
    data.answers = answers
    if errors:
        raise Invalid(errors)
    return data


def missing_to_submit(
    values: dict[str, object], questions: Sequence[ProposalQuestion]
) -> dict[str, str]:
    """The required fields still empty, with the message to show beside each."""
    errors = {name: str(MISSING_MESSAGES[name]) for name in REQUIRED_TO_SUBMIT if not values[name]}
    answers = values.get("answers") or {}
    for question in questions:
        if question.required and not answers.get(question_key(question)):
            errors[f"question_{question.id}"] = str(_l("Répondez à cette question."))
    return errors


# ---------------------------------------------------------------- campaigns -------------------


def accepts_submissions(campaign: Campaign, now: datetime | None = None) -> bool:
    """Open, and before the deadline (checked at the time of the write, to the second)."""
    if campaign.status != CampaignStatus.OPEN.value:
        return False
    return campaign.deadline_at is None or (now or utcnow()) < campaign.deadline_at


def _ensure_open(campaign: Campaign) -> None:
    """Authors change their proposals only while the campaign takes submissions."""
    if not accepts_submissions(campaign):
        raise CampaignClosed(campaign)


def campaign_domains(campaign: Campaign) -> list[str]:
    """The campaign's allowed domains, or the platform's when the campaign names none."""
    return campaign.domains or list(current_app.config["ALLOWED_EMAIL_DOMAINS"])


def agent_allowed(campaign: Campaign, email: str) -> bool:
    return domain_allowed(email, campaign_domains(campaign))


def public_campaign(slug: str, with_questions: bool = True) -> Campaign:
    statement = select(Campaign).where(Campaign.slug == slug, Campaign.status.in_(PUBLIC_STATUSES))
    if with_questions:
        statement = statement.options(selectinload(Campaign.questions))
    campaign = db.session.scalar(statement)
    if campaign is None:
        raise NotFound
    return campaign


def campaign_for_new_proposal(slug: str, user: User) -> Campaign:
    """The campaign an agent wants to write for, if they may; raise the reason otherwise."""
    campaign = public_campaign(slug)
    if not agent_allowed(campaign, user.email):
        raise DomainNotAllowed(campaign, user.email)
    _ensure_open(campaign)
    return campaign


# ---------------------------------------------------------------- who may see what ------------


def _is_author_clause(user: User):  # type: ignore[no-untyped-def]
    """SQL: ``ProposalAuthor`` rows of this person, bound or still waiting on their address."""
    return or_(
        ProposalAuthor.user_id == user.id,
        and_(ProposalAuthor.user_id.is_(None), ProposalAuthor.email == normalise_email(user.email)),
    )


def _authorship(proposal_id: int, user: User) -> ProposalAuthor | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(ProposalAuthor).where(
            ProposalAuthor.proposal_id == proposal_id, _is_author_clause(user)
        )
    )


def is_author(user: User | None, proposal: Proposal) -> bool:
    return user is not None and _authorship(proposal.id, user) is not None


def _load(proposal_id: int) -> Proposal | None:
    return db.session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            joinedload(Proposal.campaign).selectinload(Campaign.questions),
            selectinload(Proposal.attachments),
            selectinload(Proposal.authors).joinedload(ProposalAuthor.user),
        )
    )


@dataclass
class Authored:
    proposal: Proposal
    author: ProposalAuthor

    @property
    def campaign(self) -> Campaign:
        return self.proposal.campaign

    @property
    def is_submitter(self) -> bool:
        return self.author.role == AuthorRole.SUBMITTER.value


def visible_proposal_for_author(proposal_id: int, user: User) -> Proposal:
    """The proposal if ``user`` wrote or co-writes it; NotFound (a 404) for everyone else."""
    return _authored(proposal_id, user).proposal


def _authored(proposal_id: int, user: User) -> Authored:
    author = _authorship(proposal_id, user)
    if author is None:
        raise NotFound
    proposal = _load(proposal_id)
    if proposal is None:
        raise NotFound
    return Authored(proposal, author)


def _submitter_while_open(proposal_id: int, user: User) -> Authored:
    """The proposal for its submitter only (Forbidden for a co-author), while open."""
    found = _authored(proposal_id, user)
    if not found.is_submitter:
        raise Forbidden
    _ensure_open(found.campaign)
    return found


def authored(proposal_id: int, user: User) -> Authored:
    """The proposal with the asking author's role in it (NotFound for non-authors)."""
    return _authored(proposal_id, user)


def may_read(user: User | None, proposal: Proposal) -> bool:
    """Authors always; once submitted, the campaign's organisers and its assigned jurors
    who have no conflict with it. Nobody else, ever (drafts stay their authors' own)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_author(user, proposal):
        return True
    if proposal.status not in IN_COMPETITION and proposal.status != ProposalStatus.WITHDRAWN:
        return False
    if is_organiser(user, proposal.campaign_id):
        return True
    if proposal.status not in IN_COMPETITION:
        return False
    # One definition of what a juror may see (assignment, conflicts of every kind, phase).
    from challenge.access.jury import may_see_proposal

    return may_see_proposal(user, proposal) or may_see_proposal(user, proposal, "pitch")


def authors_of(proposal_ids: Iterable[int]) -> dict[int, list[ProposalAuthor]]:
    """Authors of many proposals in one query (submitter first), with their accounts loaded."""
    ids = list(set(proposal_ids))
    result: dict[int, list[ProposalAuthor]] = {pid: [] for pid in ids}
    if not ids:
        return result
    rows = db.session.scalars(
        select(ProposalAuthor)
        .where(ProposalAuthor.proposal_id.in_(ids))
        .options(joinedload(ProposalAuthor.user))
        .order_by(
            ProposalAuthor.proposal_id,
            (ProposalAuthor.role != AuthorRole.SUBMITTER.value),
            ProposalAuthor.id,
        )
    )
    for author in rows:
        result[author.proposal_id].append(author)
    return result


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


def bind_authors(user: User) -> int:
    """Invitations sent to this address become the user's co-authorships (at sign-in)."""
    bound = db.session.execute(
        update(ProposalAuthor)
        .where(
            ProposalAuthor.email == normalise_email(user.email), ProposalAuthor.user_id.is_(None)
        )
        .values(user_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if bound:
        db.session.commit()
    return bound


# ---------------------------------------------------------------- snapshots and versions ------


def snapshot(proposal: Proposal) -> dict[str, object]:
    data: dict[str, object] = {name: getattr(proposal, name) for name in CONTENT_FIELDS}
    data["answers"] = dict(proposal.answers or {})
    data["status"] = proposal.status
    return data


def changed_fields(before: dict[str, object], after: dict[str, object]) -> list[str]:
    """Content fields that differ; answers to extra questions as ``question_<id>``."""
    names = [n for n in CONTENT_FIELDS if before.get(n) != after.get(n)]
    old = before.get("answers") or {}
    new = after.get("answers") or {}
    assert isinstance(old, dict) and isinstance(new, dict)
    for key in sorted(set(old) | set(new), key=lambda k: (len(k), k)):
        if (old.get(key) or "") != (new.get(key) or ""):
            names.append(f"question_{key}")
    return names


def field_value(data: dict[str, object], name: str) -> object:
    if name.startswith("question_"):
        answers = data.get("answers") or {}
        assert isinstance(answers, dict)
        return answers.get(name.removeprefix("question_"), "")
    return data.get(name, "")


def field_labels(questions: Sequence[ProposalQuestion]) -> dict[str, str]:
    labels = {name: str(label) for name, label in FIELD_LABELS.items()}
    labels.update({f"question_{q.id}": q.label for q in questions})
    return labels


def _next_version_number(proposal_id: int) -> int:
    number = db.session.scalar(
        select(func.max(ProposalVersion.number)).where(ProposalVersion.proposal_id == proposal_id)
    )
    return (number or 0) + 1


def _record_version(
    proposal: Proposal, user: User, event: str, changed: list[str], note: str = ""
) -> ProposalVersion:
    db.session.flush()  # the proposal's lock version is the new one from here on
    number = _next_version_number(proposal.id)
    data = snapshot(proposal)
    if note:
        data["_note"] = note
    version = ProposalVersion(
        proposal_id=proposal.id,
        number=number,
        author_id=user.id,
        at=utcnow(),
        event=event,
        changed_fields=changed,
        snapshot=data,
        lock_version=proposal.version,
    )
    db.session.add(version)
    return version


def _conflict(proposal: Proposal, base_version: int) -> Conflict:
    """What changed between the version the form was opened on and the one saved now."""
    base = db.session.scalar(
        select(ProposalVersion)
        .where(
            ProposalVersion.proposal_id == proposal.id,
            ProposalVersion.lock_version <= base_version,
        )
        .order_by(ProposalVersion.lock_version.desc(), ProposalVersion.number.desc())
        .limit(1)
    )
    current = snapshot(proposal)
    before = base.snapshot if base is not None else {}
    labels = field_labels(proposal.campaign.questions)
    yes_no = {f"question_{q.id}" for q in proposal.campaign.questions if q.kind == "yes_no"}

    def shown(data: dict[str, object], name: str) -> object:
        value = field_value(data, name)
        if name in yes_no and value:
            return str(_l("Oui")) if value == YES else str(_l("Non"))
        return value

    changes = [
        FieldChange(
            field=name,
            label=labels.get(name, name),
            before=shown(before, name) if base is not None else None,
            after=shown(current, name),
        )
        for name in changed_fields(before, current)
        if base is not None or name in CONTENT_FIELDS
    ]
    editors = [
        editor.display_name
        for editor in db.session.scalars(
            select(User).where(
                User.id.in_(
                    select(ProposalVersion.author_id).where(
                        ProposalVersion.proposal_id == proposal.id,
                        ProposalVersion.lock_version > base_version,
                    )
                )
            )
        )
    ]
    return Conflict(proposal, changes, editors)


# ---------------------------------------------------------------- writing a proposal ----------


@dataclass
class SaveResult:
    proposal: Proposal
    changed: list[str]
    submitted: bool = False  # this save sent the proposal to the jury
    errors: dict[str, str] = field(default_factory=dict)  # submission refused: what is missing
    late: bool = False  # after the deadline: kept (as a draft, or as an unsent copy), not sent


def create_draft(
    campaign: Campaign, user: User, data: ProposalInput, submit: bool = False
) -> SaveResult:
    """A new proposal by ``user``. After the deadline it is still kept, as a draft."""
    if not agent_allowed(campaign, user.email):
        raise DomainNotAllowed(campaign, user.email)
    if campaign.status not in PUBLIC_STATUSES:
        raise NotFound
    data = validate(data, campaign.questions)
    values = data.values()
    proposal = Proposal(
        campaign_id=campaign.id, submitter_id=user.id, status=ProposalStatus.DRAFT.value
    )
    for name, value in values.items():
        setattr(proposal, name, value)
    proposal.campaign = campaign
    db.session.add(proposal)
    db.session.add(
        ProposalAuthor(
            proposal=proposal,
            email=normalise_email(user.email),
            user_id=user.id,
            role=AuthorRole.SUBMITTER.value,
        )
    )
    db.session.flush()
    changed = changed_fields({"answers": {}}, snapshot(proposal))
    changed = [n for n in changed if field_value(values, n)]
    _record_version(proposal, user, "created", changed)
    audit.record("proposal.created", actor=user, campaign_id=campaign.id, target=proposal)
    result = SaveResult(proposal, changed)
    if not accepts_submissions(campaign):
        result.late = True
    elif submit:
        _submit_if_complete(proposal, user, result)
    db.session.commit()
    return result


def save(
    proposal_id: int,
    user: User,
    data: ProposalInput,
    base_version: int | None,
    submit: bool = False,
) -> SaveResult:
    """Save an author's edit (and send it when ``submit``). ``base_version`` is the version the
    form was opened on: if someone saved since, Conflict, and nothing is written."""
    found = _authored(proposal_id, user)
    proposal, campaign = found.proposal, found.campaign
    if submit and not found.is_submitter:
        raise Forbidden
    data = validate(data, campaign.questions)
    if base_version is None or base_version != proposal.version:
        raise _conflict(proposal, base_version or 0)
    values = data.values()
    changed = changed_fields(snapshot(proposal), values)
    open_now = accepts_submissions(campaign)
    sent = proposal.status in IN_COMPETITION

    if not open_now:
        return _save_late(found, user, values, changed)
    if sent:
        missing = missing_to_submit(values, campaign.questions)
        if missing:
            # A proposal the jury may read must stay complete: refuse, the text stays in the form.
            raise Invalid(missing)
    try:
        _apply(proposal, values)
        result = SaveResult(proposal, changed)
        if changed:
            _record_version(proposal, user, "edited" if sent else "saved", changed)
            audit.record(
                "proposal.edited" if sent else "proposal.saved",
                actor=user,
                campaign_id=campaign.id,
                target=proposal,
                details={"fields": changed},
            )
        if submit and not sent:
            _submit_if_complete(proposal, user, result)
        db.session.flush()
    except StaleDataError:
        # Someone saved between our read and our write: same answer as a stale form.
        db.session.rollback()
        fresh = _load(proposal_id)
        if fresh is None:
            raise NotFound from None
        raise _conflict(fresh, base_version) from None
    db.session.commit()
    return result


def _apply(proposal: Proposal, values: dict[str, object]) -> None:
    for name in CONTENT_FIELDS:
        if getattr(proposal, name) != values[name]:
            setattr(proposal, name, values[name])
    if (proposal.answers or {}) != values["answers"]:
        proposal.answers = dict(values["answers"])  # type: ignore[arg-type]


def _save_late(
    found: Authored, user: User, values: dict[str, object], changed: list[str]
) -> SaveResult:
    """After the deadline: a draft keeps the text (it can no longer be sent); a sent proposal
    stays as it was at the deadline and the refused text is kept as an unsent copy in its history."""
    proposal = found.proposal
    result = SaveResult(proposal, changed, late=True)
    if not changed:
        return result
    if proposal.status in (ProposalStatus.DRAFT.value, ProposalStatus.WITHDRAWN.value):
        _apply(proposal, values)
        _record_version(proposal, user, "saved", changed)
        audit.record(
            "proposal.saved", actor=user, campaign_id=proposal.campaign_id, target=proposal
        )
    else:
        late = ProposalVersion(
            proposal_id=proposal.id,
            number=_next_version_number(proposal.id),
            author_id=user.id,
            at=utcnow(),
            event="late_copy",
            changed_fields=changed,
            snapshot={**values, "status": proposal.status},
            lock_version=proposal.version,
        )
        db.session.add(late)
        audit.record(
            "proposal.late_edit_refused",
            actor=user,
            campaign_id=proposal.campaign_id,
            target=proposal,
            details={"fields": changed},
        )
    db.session.commit()
    return result


def _submit_if_complete(proposal: Proposal, user: User, result: SaveResult) -> None:
    missing = missing_to_submit(snapshot(proposal), proposal.campaign.questions)
    if missing:
        result.errors = missing
        return
    resubmitted = proposal.status == ProposalStatus.WITHDRAWN.value
    now = utcnow()
    proposal.status = ProposalStatus.SUBMITTED.value
    proposal.submitted_at = now
    proposal.withdrawn_at = None
    event = "resubmitted" if resubmitted else "submitted"
    version = _record_version(proposal, user, event, ["status"])
    audit.record(f"proposal.{event}", actor=user, campaign_id=proposal.campaign_id, target=proposal)
    _queue_receipt(proposal, version.number)
    result.submitted = True


def submit(proposal_id: int, user: User) -> SaveResult:
    """Send (or send again after withdrawing) the proposal as it is saved."""
    found = _submitter_while_open(proposal_id, user)
    proposal = found.proposal
    result = SaveResult(proposal, [])
    if proposal.status in IN_COMPETITION:
        return result
    _submit_if_complete(proposal, user, result)
    db.session.commit()
    return result


def withdraw(proposal_id: int, user: User) -> Proposal:
    """Take a sent proposal out of the competition (it can be sent again before the deadline)."""
    found = _submitter_while_open(proposal_id, user)
    proposal = found.proposal
    if proposal.status != ProposalStatus.SUBMITTED.value:
        raise Invalid({"status": str(_l("Cette proposition n’est pas envoyée."))})
    proposal.status = ProposalStatus.WITHDRAWN.value
    proposal.withdrawn_at = utcnow()
    _record_version(proposal, user, "withdrawn", ["status"])
    audit.record(
        "proposal.withdrawn", actor=user, campaign_id=proposal.campaign_id, target=proposal
    )
    db.session.commit()
    return proposal


def _receipt_summary(proposal: Proposal) -> list[dict[str, object]]:
    """The text as sent; labels stay lazy, to be read in each recipient's language."""
    rows: list[dict[str, object]] = [
        {"label": FIELD_LABELS[name], "value": getattr(proposal, name)} for name in TEXT_FIELDS
    ]
    for question in proposal.campaign.questions:
        rows.append(
            {"label": question.label, "value": display_answer(question, proposal.answers or {})}
        )
    return rows


def display_answer(question: ProposalQuestion, answers: dict[str, str]) -> object:
    value = answers.get(question_key(question), "")
    if question.kind == "yes_no" and value:
        return _l("Oui") if value == YES else _l("Non")
    return value


def _queue_receipt(proposal: Proposal, version_number: int) -> None:
    """The receipt to every author, with the text as it was sent."""
    campaign = proposal.campaign
    context = {
        "proposal_title": proposal.title,
        "campaign_title": campaign.title,
        "sent_at": proposal.submitted_at,
        "deadline_at": campaign.deadline_at,
        "summary": _receipt_summary(proposal),
        "commitment_released": proposal.commitment_released,
        "commitment_manager_informed": proposal.commitment_manager_informed,
        "attachments": [a.filename for a in proposal.attachments],
        "authors": [a.email for a in proposal.authors],
        "link": external_url("proposals.show_proposal", proposal_id=proposal.id),
    }
    for author in proposal.authors:
        locale = author.user.locale if author.user is not None else "fr"
        outbox.queue(
            "proposal_receipt",
            author.email,
            context,
            locale=locale,
            user_id=author.user_id,
            campaign_id=campaign.id,
            dedup_key=f"proposal:{proposal.id}:receipt:{version_number}:{author.email}",
        )


# ---------------------------------------------------------------- co-authors ------------------


def invite_coauthor(proposal_id: int, user: User, email: str) -> ProposalAuthor:
    found = _submitter_while_open(proposal_id, user)
    proposal, campaign = found.proposal, found.campaign
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise Invalid({"email": str(_l("Saisissez une adresse électronique valide."))})
    if not agent_allowed(campaign, email):
        raise Invalid(
            {
                "email": str(
                    _l(
                        "Cette campagne est ouverte aux adresses se terminant par : %(domains)s. "
                        "Invitez la personne avec son adresse professionnelle.",
                        domains=", ".join(campaign_domains(campaign)),
                    )
                )
            }
        )
    if any(a.email == email for a in proposal.authors):
        raise Invalid({"email": str(_l("Cette personne fait déjà partie des auteurs."))})
    if len(proposal.authors) > MAX_COAUTHORS:
        raise Invalid(
            {"email": str(_l("Pas plus de %(n)s co-auteurs par proposition.", n=MAX_COAUTHORS))}
        )
    existing = db.session.scalar(select(User).where(User.email == email))
    author = ProposalAuthor(
        proposal=proposal,
        email=email,
        user_id=existing.id if existing is not None else None,
        role=AuthorRole.COAUTHOR.value,
    )
    db.session.add(author)
    db.session.flush()
    _record_version(proposal, user, "coauthor_added", ["authors"], note=email)
    audit.record(
        "proposal.coauthor_invited",
        actor=user,
        campaign_id=campaign.id,
        target=proposal,
        details={"email": email},
    )
    outbox.queue(
        "proposal_coauthor_invitation",
        email,
        {
            "inviter": user.display_name,
            "inviter_email": user.email,
            "proposal_title": proposal.title,
            "campaign_title": campaign.title,
            "deadline_at": campaign.deadline_at,
            "link": external_url("proposals.show_proposal", proposal_id=proposal.id),
        },
        locale=existing.locale if existing is not None else "fr",
        user_id=existing.id if existing is not None else None,
        campaign_id=campaign.id,
        dedup_key=f"proposal:{proposal.id}:coauthor:{author.id}",
    )
    db.session.commit()
    return author


def remove_coauthor(proposal_id: int, user: User, author_id: int) -> ProposalAuthor:
    """The submitter removes a co-author; a co-author may also leave by themselves."""
    found = _authored(proposal_id, user)
    proposal = found.proposal
    author = next((a for a in proposal.authors if a.id == author_id), None)
    if author is None or author.role == AuthorRole.SUBMITTER.value:
        raise NotFound
    if not found.is_submitter and author.id != found.author.id:
        raise Forbidden
    _ensure_open(found.campaign)
    proposal.authors.remove(author)
    db.session.flush()
    _record_version(proposal, user, "coauthor_removed", ["authors"], note=author.email)
    audit.record(
        "proposal.coauthor_removed",
        actor=user,
        campaign_id=proposal.campaign_id,
        target=proposal,
        details={"email": author.email},
    )
    db.session.commit()
    return author


# ---------------------------------------------------------------- attachments -----------------


def upload_folder() -> str:
    return str(current_app.config["UPLOAD_FOLDER"])


def add_attachment(proposal_id: int, user: User, filename: str, stream: BinaryIO) -> Attachment:
    found = _authored(proposal_id, user)
    proposal = found.proposal
    _ensure_open(found.campaign)
    if len(proposal.attachments) >= MAX_ATTACHMENTS:
        raise Invalid(
            {
                "file": str(
                    _l("Pas plus de %(n)s pièces jointes par proposition.", n=MAX_ATTACHMENTS)
                )
            }
        )
    try:
        stored = storage.store(stream, upload_folder())
    except storage.EmptyFile:
        raise Invalid(
            {"file": str(_l("Le fichier est vide. Choisissez un autre fichier."))}
        ) from None
    except storage.UnsupportedType:
        raise Invalid(
            {
                "file": str(
                    _l(
                        "Ce type de fichier n’est pas accepté. Formats acceptés : PDF, images "
                        "(PNG, JPEG, GIF, WebP), documents Word, Excel, PowerPoint ou OpenDocument."
                    )
                )
            }
        ) from None
    try:
        attachment = Attachment(
            proposal=proposal,
            filename=storage.safe_filename(filename or "", stored.file_type),
            content_type=stored.file_type.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_key=stored.key,
            uploaded_by_id=user.id,
        )
        db.session.add(attachment)
        db.session.flush()
        _record_version(
            proposal, user, "attachment_added", ["attachments"], note=attachment.filename
        )
        audit.record(
            "proposal.attachment_added",
            actor=user,
            campaign_id=proposal.campaign_id,
            target=proposal,
            details={"attachment_id": attachment.id, "size": stored.size},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        storage.delete(upload_folder(), stored.key)
        raise
    return attachment


def remove_attachment(proposal_id: int, user: User, attachment_id: int) -> Attachment:
    found = _authored(proposal_id, user)
    proposal = found.proposal
    attachment = next((a for a in proposal.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound
    _ensure_open(found.campaign)
    key = attachment.storage_key
    proposal.attachments.remove(attachment)
    db.session.flush()
    _record_version(proposal, user, "attachment_removed", ["attachments"], note=attachment.filename)
    audit.record(
        "proposal.attachment_removed",
        actor=user,
        campaign_id=proposal.campaign_id,
        target=proposal,
        details={"attachment_id": attachment_id},
    )
    db.session.commit()
    storage.delete(upload_folder(), key)
    return attachment


@dataclass(frozen=True)
class Download:
    attachment: Attachment
    path: str


def attachment_for_download(proposal_id: int, attachment_id: int, user: User) -> Download:
    """The file, for those who may read the proposal (404 for anyone else)."""
    attachment = db.session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.proposal_id == proposal_id
        )
    )
    if attachment is None:
        raise NotFound
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not may_read(user, proposal):
        raise NotFound
    path = storage.path_of(upload_folder(), attachment.storage_key)
    if not path.is_file():
        log.error("attachment %s: file %s is missing", attachment.id, attachment.storage_key)
        raise NotFound
    return Download(attachment, str(path))


# ---------------------------------------------------------------- reading ---------------------


@dataclass(frozen=True)
class MyProposal:
    proposal: Proposal
    campaign: Campaign
    role: str
    progress: Progress
    editable: bool
    messages: list[str]
    outcome: AgentOutcome | None = None


def my_proposals(user: User) -> list[MyProposal]:
    """Every proposal the person writes or co-writes, newest first, in a constant number of
    queries whatever their number."""
    rows = db.session.execute(
        select(Proposal, ProposalAuthor.role)
        .join(ProposalAuthor, ProposalAuthor.proposal_id == Proposal.id)
        .join(Proposal.campaign)
        .where(_is_author_clause(user))
        .options(contains_eager(Proposal.campaign))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
    ).all()
    ids = [proposal.id for proposal, _role in rows]
    shortlisted = _shortlisted(ids)
    # The final outcome and the jury's words belong to the results domain (announced results only).
    from challenge.access.outcomes import outcome_for_agent

    outcomes = outcome_for_agent(ids)
    now = utcnow()
    result = []
    for proposal, role in rows:
        campaign = proposal.campaign
        open_now = accepts_submissions(campaign, now)
        result.append(
            MyProposal(
                proposal=proposal,
                campaign=campaign,
                role=role,
                progress=progress(
                    proposal.status,
                    campaign.status,
                    accepts_submissions=open_now,
                    was_shortlisted=proposal.id in shortlisted,
                ),
                editable=open_now or proposal.status == ProposalStatus.DRAFT.value,
                messages=list(outcomes[proposal.id].jury_messages)
                if proposal.id in outcomes
                else [],
                outcome=outcomes.get(proposal.id),
            )
        )
    return result


def progress_of(proposal: Proposal) -> Progress:
    campaign = proposal.campaign
    return progress(
        proposal.status,
        campaign.status,
        accepts_submissions=accepts_submissions(campaign),
        was_shortlisted=proposal.id in _shortlisted([proposal.id]),
    )


def _shortlisted(proposal_ids: list[int]) -> set[int]:
    if not proposal_ids:
        return set()
    from challenge.jury.models import ShortlistDecision

    return set(
        db.session.scalars(
            select(ShortlistDecision.proposal_id).where(
                ShortlistDecision.proposal_id.in_(proposal_ids), ShortlistDecision.selected
            )
        )
    )


@dataclass(frozen=True)
class HistoryEntry:
    version: ProposalVersion
    who: str


def history(proposal_id: int, user: User) -> tuple[Authored, list[HistoryEntry]]:
    found = _authored(proposal_id, user)
    rows = db.session.execute(
        select(ProposalVersion, User)
        .outerjoin(User, User.id == ProposalVersion.author_id)
        .where(ProposalVersion.proposal_id == proposal_id)
        .order_by(ProposalVersion.number.desc())
    ).all()
    return found, [
        HistoryEntry(version, author.display_name if author is not None else "")
        for version, author in rows
    ]


def latest_late_copy(proposal: Proposal) -> ProposalVersion | None:
    return db.session.scalar(
        select(ProposalVersion)
        .where(ProposalVersion.proposal_id == proposal.id, ProposalVersion.event == "late_copy")
        .order_by(ProposalVersion.number.desc())
        .limit(1)
    )


# ---------------------------------------------------------------- "Moi aussi" ---------------


def campaign_for_supports(slug: str, user: User) -> Campaign:
    campaign = public_campaign(slug, with_questions=False)
    if not campaign.allow_supports:
        raise NotFound
    if not agent_allowed(campaign, user.email):
        raise DomainNotAllowed(campaign, user.email)
    _ensure_open(campaign)
    return campaign


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


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _irritants_query(campaign: Campaign, user: User, query: str):  # type: ignore[no-untyped-def]
    mine = select(ProposalAuthor.proposal_id).where(_is_author_clause(user))
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


def irritants(slug: str, user: User, query: str = "", page: int = 1) -> IrritantPage:
    """Irritants already sent to the campaign (title and irritant only: no names, no solution),
    searchable, by pages; three queries whatever their number."""
    campaign = campaign_for_supports(slug, user)
    query = clean_text(query, single_line=True)[:MAX_SEARCH_LENGTH]
    ids = _irritants_query(campaign, user, query)
    total = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    pages = max((total + IRRITANTS_PAGE_SIZE - 1) // IRRITANTS_PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.irritant, Support.id, Support.testimony)
        .outerjoin(Support, and_(Support.proposal_id == Proposal.id, Support.user_id == user.id))
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
    campaign = campaign_for_supports(slug, user)
    statement = _irritants_query(campaign, user, "").where(Proposal.id == proposal_id)
    row = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.irritant, Support.id, Support.testimony)
        .outerjoin(Support, and_(Support.proposal_id == Proposal.id, Support.user_id == user.id))
        .where(Proposal.id.in_(statement))
    ).first()
    if row is None:
        raise NotFound
    pid, title, text, support_id, testimony = row
    return Irritant(pid, campaign.id, title, text, support_id is not None, testimony or "")


def support(slug: str, proposal_id: int, user: User, testimony: str = "") -> Support:
    """ "Moi aussi": the agent shares this irritant (once; a second time updates the testimony)."""
    found = irritant(slug, proposal_id, user)
    testimony = clean_text(testimony)
    if len(testimony) > MAX_TESTIMONY_LENGTH:
        raise Invalid(
            {
                "testimony": str(
                    _l(
                        "Ce texte fait %(length)s caractères : %(limit)s au maximum.",
                        length=len(testimony),
                        limit=MAX_TESTIMONY_LENGTH,
                    )
                )
            }
        )
    row = db.session.scalar(
        select(Support).where(Support.proposal_id == found.id, Support.user_id == user.id)
    )
    if row is None:
        row = Support(proposal_id=found.id, user_id=user.id, testimony=testimony)
        db.session.add(row)
        action = "proposal.support_added"
    else:
        row.testimony = testimony
        action = "proposal.support_updated"
    db.session.flush()
    audit.record(
        action,
        actor=user,
        campaign_id=found.campaign_id,
        target=row,
        details={"proposal_id": found.id},
    )
    db.session.commit()
    return row


def withdraw_support(slug: str, proposal_id: int, user: User) -> None:
    found = irritant(slug, proposal_id, user)
    removed = db.session.execute(
        delete(Support).where(Support.proposal_id == found.id, Support.user_id == user.id)
    ).rowcount
    if removed:
        audit.record(
            "proposal.support_removed",
            actor=user,
            campaign_id=found.campaign_id,
            details={"proposal_id": found.id},
        )
    db.session.commit()
