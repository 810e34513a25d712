"""Every write of the results domain, and the reads its pages need, with their permission checks.

Pitch day (slots, convocations with a calendar invitation, the agents' answers, pitch scoring and
its live progress), the final decision (laureates, mentions, not retained), the result messages
(templates with placeholders, preview, bulk send through the outbox, delivery status, resend),
the public page of laureates and the laureates' consent to publish their names.

Each write checks who asks, changes the rows, records the audit events and queues the e-mails in
one transaction, then commits. Reads return plain dataclasses: templates never query.

For the other domains: :func:`outcome_for_agent` (the final status and the jury's words on
"Mes propositions").
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from email.utils import parseaddr

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from markupsafe import Markup, escape
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from challenge.access.outcomes import (  # noqa: F401  (re-exported until the split)
    FINAL_OUTCOMES,
    OUTCOME_LABELS,
    RESULTS_ANNOUNCED,
    STATUS_OF_OUTCOME,
    AgentOutcome,
    jury_messages,
    outcome_for_agent,
)
from challenge.accounts.models import Membership, Role, User
from challenge.audit import service as audit
from challenge.campaigns.models import Campaign, CampaignStatus, Criterion, GridKind
from challenge.extensions import db
from challenge.jury import service as jury
from challenge.jury.access import raised_as
from challenge.jury.models import Review, ReviewPhase, ReviewScore, ReviewStatus
from challenge.notifications import service as outbox
from challenge.notifications.models import MessageStatus, OutboxMessage
from challenge.notifications.rendering import RenderedMail, external_url, render_mail
from challenge.proposals.models import (
    IN_COMPETITION,
    AuthorRole,
    Proposal,
    ProposalAuthor,
    ProposalStatus,
)
from challenge.results import ics, placeholders
from challenge.results import slots as slot_algo
from challenge.results.models import (
    NameConsent,
    Outcome,
    PitchSlot,
    ResultDecision,
    ResultTemplate,
    SlotConfirmation,
)
from challenge.timeutils import paris_to_utc, utc_to_paris, utcnow

# Message kinds (templates/mail/<kind>.html).
KIND_CONVOCATION = "pitch_convocation"
KIND_CHANGE_REQUEST = "pitch_change_request"
KIND_RESULT = "result_message"
RESENDABLE_KINDS = (KIND_CONVOCATION, KIND_RESULT)

SLOT_STATUSES = (
    CampaignStatus.REVIEW.value,
    CampaignStatus.SHORTLIST.value,
    CampaignStatus.PITCH.value,
)
DECISION_STATUSES = (CampaignStatus.PITCH.value, CampaignStatus.RESULTS.value)
TEMPLATE_STATUSES = (
    CampaignStatus.SHORTLIST.value,
    CampaignStatus.PITCH.value,
    CampaignStatus.RESULTS.value,
)
# What the organisers choose for each pitch; everything else follows.
PITCH_CHOICES = (Outcome.LAUREATE.value, Outcome.MENTION.value, "not_retained")

OUTCOME_ORDER = tuple(o.value for o in Outcome)

LOCATION_MAX = 300
VIDEO_LINK_MAX = 500
COMMENT_MAX = 5000
MESSAGE_MAX = 3000
NOTE_MAX = 1000
SUBJECT_MAX = 300
BODY_MAX = 10000
NEXT_STEPS_MAX = 3000
ANSWER_LINK_DAYS = 120
STATUS_PAGE_SIZE = 100
_URL = re.compile(r"https?://[^\s<>\"']+")


# ---------------------------------------------------------------- errors ---------------------


class ResultsError(Exception):
    """Base of the refusals the pages turn into a status code or a message."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(ResultsError):
    """Unknown, or not visible to the person who asks (404: existence is not revealed)."""


class Forbidden(ResultsError):
    """Known, but the person who asks has no right to it (403)."""


class Refused(ResultsError):
    """A rule refuses the change now; ``message`` says why, in words for the person."""


class Invalid(ResultsError):
    """Bad input; ``errors`` maps a field name to the message shown beside it. Nothing written."""

    def __init__(self, errors: Mapping[str, str], message: str = "") -> None:
        super().__init__(message or _("Rien n’est enregistré : corrigez les champs signalés."))
        self.errors = dict(errors)


class InvalidLink(ResultsError):
    """A convocation link that was altered, expired, or names a slot that changed since."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # invalid | expired | outdated


# ---------------------------------------------------------------- access ---------------------


def organiser_campaign(user: User | None, campaign_id: int, *, lock: bool = False) -> Campaign:
    """:func:`challenge.jury.service.organiser_campaign`: 404 unknown, 403 not an organiser."""
    with raised_as(NotFound, Forbidden):
        return jury.organiser_campaign(user, campaign_id, lock=lock)


def juror_campaign(user: User | None, campaign_id: int) -> Campaign:
    """:func:`challenge.jury.service.juror_campaign`: 404 unless ``user`` sits on its jury."""
    with raised_as(NotFound, Forbidden):
        return jury.juror_campaign(user, campaign_id)


def _commit() -> None:
    db.session.commit()


# ---------------------------------------------------------------- the pitch list -------------


@dataclass(frozen=True)
class PitchProposal:
    id: int
    title: str
    administration: str
    status: str
    written_rank: int | None


def pitch_list(campaign_id: int) -> list[PitchProposal]:
    """The proposals heard on pitch day, best written ranking first (then by id).

    The written ranking is the jury's (``jury.service.campaign_ranking``), so the slots follow
    the same order as the organisers' ranking page. A constant number of queries.
    """
    on_list = {pid for pid, _a in jury.pitch_candidates(campaign_id)}
    if not on_list:
        return []
    ranking = jury.campaign_ranking(campaign_id, ReviewPhase.WRITTEN.value, "raw", details=False)
    rows = {r.proposal_id: r for r in ranking if r.proposal_id in on_list}
    missing = on_list - set(rows)
    extra = []
    if missing:
        extra = db.session.execute(
            select(Proposal.id, Proposal.title, Proposal.administration, Proposal.status)
            .where(Proposal.id.in_(missing))
            .order_by(Proposal.id)
        ).all()
    ordered = [
        PitchProposal(r.proposal_id, r.title, r.administration, r.status, r.rank)
        for r in ranking
        if r.proposal_id in rows
    ]
    ranked = [p for p in ordered if p.written_rank is not None]
    unranked = sorted((p for p in ordered if p.written_rank is None), key=lambda p: p.id)
    unranked += [PitchProposal(r.id, r.title, r.administration, r.status, None) for r in extra]
    return ranked + unranked


# ---------------------------------------------------------------- slots ----------------------


def slot_refusal(campaign: Campaign) -> str | None:
    """Why the slots cannot change now, or None."""
    if campaign.status in SLOT_STATUSES:
        return None
    if campaign.status in (CampaignStatus.DRAFT.value, CampaignStatus.OPEN.value):
        return _("Les créneaux de pitch se préparent une fois les dépôts clos.")
    return _("Le jour des pitchs est passé : les créneaux ne peuvent plus changer.")


def convocation_refusal(campaign: Campaign) -> str | None:
    if campaign.status == CampaignStatus.PITCH.value:
        return None
    if campaign.status in SLOT_STATUSES:
        return _(
            "Les convocations partent à l’étape des pitchs, quand la présélection ne peut plus "
            "changer : passez la campagne à l’étape « Pitchs » pour les envoyer."
        )
    return _("Le jour des pitchs est passé : plus de convocation à envoyer.")


@dataclass(frozen=True)
class SlotInput:
    day: date | None
    start: time | None
    duration: int | None
    location: str = ""
    video_link: str = ""


@dataclass(frozen=True)
class GenerateInput:
    day: date | None
    start: time | None
    count: int | None
    duration: int | None
    gap: int | None = 0
    break_every: int | None = 0
    break_minutes: int | None = 0
    location: str = ""
    video_link: str = ""


@dataclass(frozen=True)
class SlotRow:
    id: int
    starts_at: datetime  # naive UTC
    ends_at: datetime
    duration_minutes: int
    location: str
    video_link: str
    proposal_id: int | None
    title: str | None
    written_rank: int | None
    confirmation: str
    confirmation_note: str
    answered_at: datetime | None
    convoked_at: datetime | None
    convocation_status: str | None  # sent | pending | failed | None (none for these details)
    failed_messages: tuple[tuple[int, str], ...]  # (outbox id, address) that failed for good
    overlaps: bool
    past: bool


@dataclass(frozen=True)
class SlotsPage:
    campaign: Campaign
    rows: list[SlotRow]
    pitch_list: list[PitchProposal]
    unplaced: list[PitchProposal]
    edit_refusal: str | None
    convocation_refusal: str | None
    to_convoke: int  # slots with a proposal whose current details were not sent yet
    confirmed: int
    change_requested: int


def slots_page(user: User, campaign_id: int) -> SlotsPage:
    campaign = organiser_campaign(user, campaign_id)
    return _slots_page(campaign)


def _slots_page(campaign: Campaign) -> SlotsPage:
    rows = _existing_slots(campaign.id)
    proposals = pitch_list(campaign.id)
    by_id = {p.id: p for p in proposals}
    titles = _titles({s.proposal_id for s in rows if s.proposal_id} - set(by_id))
    pure = [_pure(s) for s in rows]
    overlapping = {i for pair in slot_algo.overlaps(pure) for i in pair}
    statuses, failed = _convocation_statuses(campaign.id, rows)
    now = utcnow()
    result = []
    for slot in rows:
        proposal = by_id.get(slot.proposal_id) if slot.proposal_id else None
        title = proposal.title if proposal else titles.get(slot.proposal_id or 0)
        result.append(
            SlotRow(
                id=slot.id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                duration_minutes=slot.duration_minutes,
                location=slot.location,
                video_link=slot.video_link,
                proposal_id=slot.proposal_id,
                title=title,
                written_rank=proposal.written_rank if proposal else None,
                confirmation=slot.confirmation,
                confirmation_note=slot.confirmation_note,
                answered_at=slot.answered_at,
                convoked_at=slot.convoked_at,
                convocation_status=statuses.get(slot.id),
                failed_messages=tuple(failed.get(slot.id, ())),
                overlaps=slot.id in overlapping,
                past=slot.starts_at < now,
            )
        )
    placed = {s.proposal_id for s in rows if s.proposal_id}
    return SlotsPage(
        campaign=campaign,
        rows=result,
        pitch_list=proposals,
        unplaced=[p for p in proposals if p.id not in placed],
        edit_refusal=slot_refusal(campaign),
        convocation_refusal=convocation_refusal(campaign),
        to_convoke=sum(1 for s in rows if s.proposal_id and s.convoked_at is None),
        confirmed=sum(1 for s in rows if s.confirmation == SlotConfirmation.CONFIRMED.value),
        change_requested=sum(
            1 for s in rows if s.confirmation == SlotConfirmation.CHANGE_REQUESTED.value
        ),
    )


def _titles(proposal_ids: Iterable[int]) -> dict[int, str]:
    ids = list(proposal_ids)
    if not ids:
        return {}
    return dict(
        db.session.execute(select(Proposal.id, Proposal.title).where(Proposal.id.in_(ids))).all()
    )


def _pure(slot: PitchSlot) -> slot_algo.Slot:
    return slot_algo.Slot(slot.id, slot.starts_at, slot.duration_minutes, slot.proposal_id)


def _convocation_statuses(
    campaign_id: int, rows: Sequence[PitchSlot]
) -> tuple[dict[int, str], dict[int, list[tuple[int, str]]]]:
    """Delivery of each slot's convocations for its current details, and the messages that
    failed for good (to resend): one query."""
    prefixes = {
        _convocation_prefix(campaign_id, s): s.id for s in rows if s.proposal_id is not None
    }
    if not prefixes:
        return {}, {}
    messages = db.session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.dedup_key,
            OutboxMessage.status,
            OutboxMessage.to_address,
        ).where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.kind == KIND_CONVOCATION)
    ).all()
    found: dict[int, set[str]] = defaultdict(set)
    failed: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for message in messages:
        prefix = (message.dedup_key or "").rpartition(":")[0] + ":"
        if prefix in prefixes:
            found[prefixes[prefix]].add(message.status)
            if message.status == MessageStatus.FAILED.value:
                failed[prefixes[prefix]].append((message.id, message.to_address))
    result = {}
    for slot_id, states in found.items():
        if MessageStatus.FAILED.value in states:
            result[slot_id] = MessageStatus.FAILED.value
        elif states == {MessageStatus.SENT.value}:
            result[slot_id] = MessageStatus.SENT.value
        else:
            result[slot_id] = MessageStatus.PENDING.value
    return result, dict(failed)


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def _check_place(location: str, video_link: str, errors: dict[str, str]) -> None:
    if not location and not video_link:
        errors["location"] = _("Indiquez un lieu, un lien de visioconférence, ou les deux.")
    if len(location) > LOCATION_MAX:
        errors["location"] = _("%(max)s caractères au plus.", max=LOCATION_MAX)
    if video_link:
        if len(video_link) > VIDEO_LINK_MAX:
            errors["video_link"] = _("%(max)s caractères au plus.", max=VIDEO_LINK_MAX)
        elif not re.fullmatch(r"https?://[^\s<>\"']+\.[^\s<>\"']+", video_link):
            errors["video_link"] = _(
                "Donnez une adresse complète commençant par https://, par exemple "
                "https://webinaire.numerique.gouv.fr/…"
            )


def _check_int(value: int | None, field: str, low: int, high: int, errors: dict[str, str]) -> int:
    if value is None or not low <= value <= high:
        errors[field] = _("Indiquez un nombre entre %(low)s et %(high)s.", low=low, high=high)
        return low
    return value


def _paris_start(day: date | None, start: time | None, errors: dict[str, str]) -> datetime | None:
    if day is None:
        errors["day"] = _("Indiquez la date du pitch, au format JJ/MM/AAAA.")
    if start is None:
        errors["start"] = _("Indiquez l’heure de début, au format HH:MM.")
    if day is None or start is None:
        return None
    return datetime.combine(day, start.replace(second=0, microsecond=0))


def _format_paris(value: datetime) -> str:
    return utc_to_paris(value).strftime("%d/%m/%Y %H:%M")


def _slots_campaign(user: User, campaign_id: int) -> Campaign:
    """The campaign, locked, for an organiser changing its slots while :func:`slot_refusal`
    allows it (Refused otherwise)."""
    campaign = organiser_campaign(user, campaign_id, lock=True)
    refusal = slot_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    return campaign


def _existing_slots(campaign_id: int) -> list[PitchSlot]:
    return list(
        db.session.scalars(
            select(PitchSlot)
            .where(PitchSlot.campaign_id == campaign_id)
            .order_by(PitchSlot.starts_at, PitchSlot.id)
        )
    )


def generate_slots(user: User, campaign_id: int, data: GenerateInput) -> int:
    """Create ``count`` slots of ``duration`` minutes from the given Paris time, with breaks."""
    campaign = _slots_campaign(user, campaign_id)
    errors: dict[str, str] = {}
    count = _check_int(data.count, "count", 1, slot_algo.MAX_SLOTS_PER_RUN, errors)
    duration = _check_int(data.duration, "duration", 1, slot_algo.MAX_DURATION_MINUTES, errors)
    gap = _check_int(data.gap or 0, "gap", 0, 120, errors)
    break_every = _check_int(data.break_every or 0, "break_every", 0, 100, errors)
    break_minutes = _check_int(data.break_minutes or 0, "break_minutes", 0, 240, errors)
    location, video_link = _clean(data.location), _clean(data.video_link)
    _check_place(location, video_link, errors)
    first = _paris_start(data.day, data.start, errors)
    if errors or first is None:
        raise Invalid(errors)
    plan = slot_algo.Plan(count, duration, gap, break_every, break_minutes)
    starts = [paris_to_utc(s) for s in slot_algo.generate_starts(first, plan)]
    now = utcnow()
    if starts[0] < now:
        raise Invalid({"day": _("Ce moment est passé : choisissez une date et une heure à venir.")})
    existing = [_pure(s) for s in _existing_slots(campaign.id)]
    for index, start in enumerate(starts):
        candidate = slot_algo.Slot(-1 - index, start, duration)
        clash = slot_algo.overlapping(candidate, existing)
        if clash:
            raise Invalid(
                {
                    "start": _(
                        "Ces créneaux chevauchent le créneau existant du %(when)s : changez "
                        "l’heure de début ou le nombre de créneaux.",
                        when=_format_paris(clash[0].starts_at),
                    )
                }
            )
    created = [_new_slot(campaign.id, start, duration, location, video_link) for start in starts]
    db.session.add_all(created)
    audit.record(
        "results.slots_generated",
        actor=user,
        campaign_id=campaign.id,
        target=campaign,
        details={
            "count": count,
            "first": starts[0].isoformat(),
            "duration": duration,
            "gap": gap,
            "break_every": break_every,
            "break_minutes": break_minutes,
            "location": location,
            "video_link": video_link,
        },
    )
    _commit()
    return len(created)


def _new_slot(
    campaign_id: int, starts_at: datetime, duration: int, location: str, video_link: str
) -> PitchSlot:
    """A new slot (no proposal on it yet), its confirmation pending."""
    return PitchSlot(
        campaign_id=campaign_id,
        starts_at=starts_at,
        duration_minutes=duration,
        location=location,
        video_link=video_link,
        confirmation=SlotConfirmation.PENDING.value,
        confirmation_note="",
    )


def _validated_slot(
    campaign_id: int, data: SlotInput, slot: PitchSlot | None
) -> tuple[datetime, int, str, str]:
    errors: dict[str, str] = {}
    duration = _check_int(data.duration, "duration", 1, slot_algo.MAX_DURATION_MINUTES, errors)
    location, video_link = _clean(data.location), _clean(data.video_link)
    _check_place(location, video_link, errors)
    local = _paris_start(data.day, data.start, errors)
    starts_at = paris_to_utc(local) if local is not None else None
    if starts_at is not None:
        unchanged = slot is not None and slot.starts_at == starts_at
        if not unchanged and starts_at < utcnow():
            errors["day"] = _("Ce moment est passé : choisissez une date et une heure à venir.")
        else:
            others = [_pure(s) for s in _existing_slots(campaign_id)]
            candidate = slot_algo.Slot(slot.id if slot else -1, starts_at, duration)
            clash = slot_algo.overlapping(candidate, others)
            if clash:
                errors["start"] = _(
                    "Ce créneau chevauche celui du %(when)s : un seul jury entend les pitchs.",
                    when=_format_paris(clash[0].starts_at),
                )
    if errors or starts_at is None:
        raise Invalid(errors)
    return starts_at, duration, location, video_link


def add_slot(user: User, campaign_id: int, data: SlotInput) -> PitchSlot:
    campaign = _slots_campaign(user, campaign_id)
    starts_at, duration, location, video_link = _validated_slot(campaign.id, data, None)
    slot = _new_slot(campaign.id, starts_at, duration, location, video_link)
    db.session.add(slot)
    db.session.flush()
    audit.record(
        "results.slot_added",
        actor=user,
        campaign_id=campaign.id,
        target=slot,
        details={"starts_at": starts_at.isoformat(), "duration": duration},
    )
    _commit()
    return slot


def _campaign_slot(campaign: Campaign, slot_id: int) -> PitchSlot:
    slot = db.session.get(PitchSlot, slot_id)
    if slot is None or slot.campaign_id != campaign.id:
        raise NotFound
    return slot


def slot_for_edit(user: User, campaign_id: int, slot_id: int) -> tuple[Campaign, PitchSlot]:
    campaign = organiser_campaign(user, campaign_id)
    return campaign, _campaign_slot(campaign, slot_id)


def _reset_convocation(slot: PitchSlot) -> None:
    """The slot's details or proposal changed: the agent must be told again and answer again."""
    slot.convoked_at = None
    slot.answered_at = None
    slot.confirmation = SlotConfirmation.PENDING.value
    slot.confirmation_note = ""


def update_slot(user: User, campaign_id: int, slot_id: int, data: SlotInput) -> PitchSlot:
    campaign = _slots_campaign(user, campaign_id)
    slot = _campaign_slot(campaign, slot_id)
    starts_at, duration, location, video_link = _validated_slot(campaign.id, data, slot)
    before = (slot.starts_at, slot.duration_minutes, slot.location, slot.video_link)
    after = (starts_at, duration, location, video_link)
    if before == after:
        return slot
    slot.starts_at, slot.duration_minutes, slot.location, slot.video_link = after
    _reset_convocation(slot)
    audit.record(
        "results.slot_updated",
        actor=user,
        campaign_id=campaign.id,
        target=slot,
        details={
            "before": [before[0].isoformat(), *before[1:]],
            "after": [starts_at.isoformat(), duration, location, video_link],
        },
    )
    _commit()
    return slot


def delete_slot(user: User, campaign_id: int, slot_id: int) -> None:
    campaign = _slots_campaign(user, campaign_id)
    slot = _campaign_slot(campaign, slot_id)
    audit.record(
        "results.slot_deleted",
        actor=user,
        campaign_id=campaign.id,
        target=slot,
        details={"starts_at": slot.starts_at.isoformat(), "proposal_id": slot.proposal_id},
    )
    db.session.delete(slot)
    _commit()


def _apply_assignment(slots: Sequence[PitchSlot], changes: Mapping[int, int | None]) -> None:
    """Write new occupants; empty the changing slots first (a proposal holds one slot at most)."""
    by_id = {s.id: s for s in slots}
    for slot_id in changes:
        by_id[slot_id].proposal_id = None
    db.session.flush()
    for slot_id, proposal_id in changes.items():
        slot = by_id[slot_id]
        slot.proposal_id = proposal_id
        _reset_convocation(slot)


def fill_slots(user: User, campaign_id: int, *, reset: bool = False) -> slot_algo.Filling:
    """Place the pitch list into the slots in written-ranking order (earliest slot: best).

    Without ``reset`` the proposals already placed (maybe by hand) stay where they are.
    """
    campaign = _slots_campaign(user, campaign_id)
    rows = _existing_slots(campaign.id)
    if not rows:
        raise Refused(_("Créez d’abord des créneaux."))
    ranked = [p.id for p in pitch_list(campaign.id)]
    if not ranked:
        raise Refused(_("Aucune proposition n’est présélectionnée pour les pitchs."))
    pure = [_pure(s) for s in rows]
    filling = slot_algo.fill(pure, ranked, keep=not reset)
    changes = filling.changed(pure)
    _apply_assignment(rows, changes)
    audit.record(
        "results.slots_filled",
        actor=user,
        campaign_id=campaign.id,
        target=campaign,
        details={
            "reset": reset,
            "changes": {str(k): v for k, v in changes.items()},
            "unplaced": list(filling.unplaced),
        },
    )
    _commit()
    return filling


def move_proposal(user: User, campaign_id: int, proposal_id: int, slot_id: int) -> None:
    """Put a proposal in a slot; the slot's occupant takes the proposal's former slot (swap)."""
    campaign = _slots_campaign(user, campaign_id)
    rows = _existing_slots(campaign.id)
    if slot_id not in {s.id for s in rows}:
        raise Invalid({"slot_id": _("Choisissez un créneau de cette campagne.")})
    if proposal_id not in {p.id for p in pitch_list(campaign.id)}:
        raise Invalid({"proposal_id": _("Choisissez une proposition présélectionnée.")})
    changes = slot_algo.move([_pure(s) for s in rows], proposal_id, slot_id)
    if not changes:
        return
    _apply_assignment(rows, changes)
    audit.record(
        "results.slot_moved",
        actor=user,
        campaign_id=campaign.id,
        target=campaign,
        details={"proposal_id": proposal_id, "changes": {str(k): v for k, v in changes.items()}},
    )
    _commit()


def free_slot(user: User, campaign_id: int, slot_id: int) -> None:
    """Take the proposal out of a slot (it goes back to the proposals without a slot)."""
    campaign = _slots_campaign(user, campaign_id)
    slot = _campaign_slot(campaign, slot_id)
    if slot.proposal_id is None:
        return
    audit.record(
        "results.slot_freed",
        actor=user,
        campaign_id=campaign.id,
        target=slot,
        details={"proposal_id": slot.proposal_id},
    )
    slot.proposal_id = None
    _reset_convocation(slot)
    _commit()


# ---------------------------------------------------------------- convocations ---------------


@dataclass(frozen=True)
class AuthorContact:
    author_id: int
    proposal_id: int
    email: str
    first_name: str
    last_name: str
    role: str
    user_id: int | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def _authors(proposal_ids: Iterable[int]) -> dict[int, list[AuthorContact]]:
    """Every author of these proposals (submitter first), with their name if known: one query."""
    ids = list(proposal_ids)
    result: dict[int, list[AuthorContact]] = {pid: [] for pid in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(
            ProposalAuthor.id,
            ProposalAuthor.proposal_id,
            ProposalAuthor.email,
            ProposalAuthor.role,
            ProposalAuthor.user_id,
            User.first_name,
            User.last_name,
        )
        .outerjoin(User, User.id == ProposalAuthor.user_id)
        .where(ProposalAuthor.proposal_id.in_(ids))
        .order_by(ProposalAuthor.proposal_id, ProposalAuthor.id)
    ).all()
    for r in rows:
        result[r.proposal_id].append(
            AuthorContact(
                r.id,
                r.proposal_id,
                r.email.lower(),
                r.first_name or "",
                r.last_name or "",
                r.role,
                r.user_id,
            )
        )
    for contacts in result.values():
        contacts.sort(key=lambda a: (a.role != AuthorRole.SUBMITTER.value, a.author_id))
    return result


def _email_key(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def _slot_fingerprint(slot: PitchSlot) -> str:
    raw = f"{slot.duration_minutes}|{slot.location}|{slot.video_link}"
    return hashlib.sha256(raw.encode()).hexdigest()[:8]


def _convocation_prefix(campaign_id: int, slot: PitchSlot) -> str:
    """Same slot, proposal, start and place: the same convocation, sent once per person."""
    return (
        f"pitch:c{campaign_id}:s{slot.id}:p{slot.proposal_id}:"
        f"{slot.starts_at:%Y%m%d%H%M}:{_slot_fingerprint(slot)}:"
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="pitch-slot-answer")


def answer_token(slot: PitchSlot, email: str) -> str:
    return _serializer().dumps(
        {"s": slot.id, "p": slot.proposal_id, "t": slot.starts_at.isoformat(), "e": email}
    )


def _mail_domain() -> str:
    return parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"


def _invitation(
    campaign: Campaign, slot: PitchSlot, title: str, authors: Sequence[AuthorContact], link: str
) -> bytes:
    description = "\n".join(
        part
        for part in (
            _("Pitch de la proposition « %(title)s » devant le jury.", title=title),
            _("Visioconférence : %(link)s", link=slot.video_link) if slot.video_link else "",
            _("Confirmer ou demander un autre créneau : %(link)s", link=link),
        )
        if part
    )
    return ics.build(
        ics.Invitation(
            uid=ics.uid_for(campaign.id, slot.proposal_id or 0, _mail_domain()),
            starts_at=slot.starts_at,
            duration_minutes=slot.duration_minutes,
            summary=_("Pitch « %(title)s » — %(campaign)s", title=title, campaign=campaign.title),
            description=description,
            organizer_email=current_app.config["CONTACT_EMAIL"],
            organizer_name=_("Jury — %(campaign)s", campaign=campaign.title),
            location=slot.location,
            url=slot.video_link,
            attendees=tuple(ics.Attendee(a.email, a.name) for a in authors),
            sequence=ics.sequence_at(utcnow()),
            stamp=utcnow(),
        )
    )


def send_convocations(user: User, campaign_id: int) -> int:
    """Convoke the authors of every placed proposal whose slot was not sent as it is now.

    Each author receives one e-mail with the calendar invitation attached and a personal link
    to confirm or ask for another slot. A slot changed since its convocation sends an updated
    invitation (same UID, higher SEQUENCE); an unchanged one sends nothing (dedup key on slot,
    proposal, start and place). Returns the number of e-mails queued.
    """
    campaign = organiser_campaign(user, campaign_id, lock=True)
    refusal = convocation_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    now = utcnow()
    rows = [s for s in _existing_slots(campaign.id) if s.proposal_id is not None]
    upcoming = [s for s in rows if s.starts_at > now]
    if not upcoming:
        raise Refused(_("Aucun créneau à venir ne porte de proposition : rien à envoyer."))
    authors = _authors(s.proposal_id for s in upcoming)
    titles = _titles(s.proposal_id for s in upcoming)
    existing = _existing_keys(campaign.id, KIND_CONVOCATION)
    previous = _convoked_proposals(campaign.id)
    queued = 0
    for slot in upcoming:
        prefix = _convocation_prefix(campaign.id, slot)
        contacts = authors.get(slot.proposal_id or 0, [])
        title = titles.get(slot.proposal_id or 0, "")
        for author in contacts:
            key = prefix + _email_key(author.email)
            if key in existing:
                continue
            link = external_url("results.pitch_answer", token=answer_token(slot, author.email))
            invitation = _invitation(campaign, slot, title, contacts, link)
            outbox.queue(
                KIND_CONVOCATION,
                author.email,
                {
                    "campaign_title": campaign.title,
                    "title": title,
                    "first_name": author.first_name,
                    "starts_at": slot.starts_at,
                    "ends_at": slot.ends_at,
                    "duration": slot.duration_minutes,
                    "location": slot.location,
                    "video_link": slot.video_link,
                    "answer_link": link,
                    "updated": slot.proposal_id in previous,
                },
                user_id=author.user_id,
                campaign_id=campaign.id,
                dedup_key=key,
                attachments=[outbox.Attachment(ics.FILENAME, ics.CONTENT_TYPE, invitation)],
            )
            existing.add(key)
            queued += 1
        if slot.convoked_at is None:
            slot.convoked_at = now
    audit.record(
        "results.convocations_sent",
        actor=user,
        campaign_id=campaign.id,
        target=campaign,
        details={"messages": queued, "slots": [s.id for s in upcoming]},
    )
    _commit()
    return queued


def _existing_keys(campaign_id: int, kind: str) -> set[str]:
    return set(
        db.session.scalars(
            select(OutboxMessage.dedup_key).where(
                OutboxMessage.campaign_id == campaign_id,
                OutboxMessage.kind == kind,
                OutboxMessage.dedup_key.is_not(None),
            )
        )
    )


def _convoked_proposals(campaign_id: int) -> set[int]:
    """Proposals already convoked once (a new convocation is then an update)."""
    keys = _existing_keys(campaign_id, KIND_CONVOCATION)
    result = set()
    for key in keys:
        match = re.match(r"pitch:c\d+:s\d+:p(\d+):", key)
        if match:
            result.add(int(match.group(1)))
    return result


# ---------------------------------------------------------------- the agent's answer ---------


@dataclass(frozen=True)
class AnswerPage:
    campaign_title: str
    title: str
    email: str
    starts_at: datetime
    ends_at: datetime
    location: str
    video_link: str
    confirmation: str
    confirmation_note: str
    answered_at: datetime | None


def _slot_from_token(token: str, *, lock: bool = False) -> tuple[PitchSlot, str]:
    try:
        data = _serializer().loads(token, max_age=ANSWER_LINK_DAYS * 86400)
    except SignatureExpired as error:
        raise InvalidLink("expired") from error
    except BadSignature as error:
        raise InvalidLink("invalid") from error
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise InvalidLink("invalid")
    query = select(PitchSlot).where(PitchSlot.id == data["s"])
    slot = db.session.scalar(query.with_for_update() if lock else query)
    if (
        slot is None
        or slot.proposal_id is None
        or slot.proposal_id != data.get("p")
        or slot.starts_at.isoformat() != data.get("t")
    ):
        raise InvalidLink("outdated")
    campaign = db.session.get(Campaign, slot.campaign_id)
    if campaign is None or campaign.status != CampaignStatus.PITCH.value:
        raise InvalidLink("outdated")
    return slot, str(data.get("e", ""))


def answer_page(token: str) -> AnswerPage:
    slot, email = _slot_from_token(token)
    campaign = db.session.get(Campaign, slot.campaign_id)
    title = _titles([slot.proposal_id or 0]).get(slot.proposal_id or 0, "")
    return AnswerPage(
        campaign_title=campaign.title if campaign else "",
        title=title,
        email=email,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        location=slot.location,
        video_link=slot.video_link,
        confirmation=slot.confirmation,
        confirmation_note=slot.confirmation_note,
        answered_at=slot.answered_at,
    )


def answer_convocation(token: str, *, confirm: bool, note: str = "") -> PitchSlot:
    """The agent confirms the slot, or asks for another one (the organisers are told)."""
    slot, email = _slot_from_token(token, lock=True)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid({"note": _("%(max)s caractères au plus.", max=NOTE_MAX)})
    if not confirm and not note:
        raise Invalid({"note": _("Dites-nous quels moments vous conviendraient mieux.")})
    slot.confirmation = (
        SlotConfirmation.CONFIRMED.value if confirm else SlotConfirmation.CHANGE_REQUESTED.value
    )
    slot.confirmation_note = note
    slot.answered_at = utcnow()
    audit.record(
        "results.convocation_answered",
        actor=None,
        campaign_id=slot.campaign_id,
        target=slot,
        details={"email": email, "confirmation": slot.confirmation, "note": note},
    )
    if not confirm:
        _tell_organisers_of_change(slot, email, note)
    _commit()
    return slot


def _tell_organisers_of_change(slot: PitchSlot, email: str, note: str) -> None:
    campaign = db.session.get(Campaign, slot.campaign_id)
    organisers = db.session.execute(
        select(Membership.email, Membership.user_id).where(
            Membership.campaign_id == slot.campaign_id,
            Membership.role == Role.ORGANISER.value,
        )
    ).all()
    title = _titles([slot.proposal_id or 0]).get(slot.proposal_id or 0, "")
    link = external_url("results.pitch_slots", campaign_id=slot.campaign_id)
    stamp = hashlib.sha256(note.encode()).hexdigest()[:8]
    for row in organisers:
        outbox.queue(
            KIND_CHANGE_REQUEST,
            row.email,
            {
                "campaign_title": campaign.title if campaign else "",
                "title": title,
                "author_email": email,
                "starts_at": slot.starts_at,
                "note": note,
                "link": link,
            },
            user_id=row.user_id,
            campaign_id=slot.campaign_id,
            dedup_key=(
                f"pitch-change:s{slot.id}:p{slot.proposal_id}:{slot.starts_at:%Y%m%d%H%M}:"
                f"{stamp}:{_email_key(row.email)}"
            ),
        )


# ---------------------------------------------------------------- pitch scoring --------------


def scoring_refusal(campaign: Campaign) -> str | None:
    if campaign.status == CampaignStatus.PITCH.value:
        return None
    if campaign.status in (CampaignStatus.RESULTS.value, CampaignStatus.ARCHIVED.value):
        return _("Le jour des pitchs est passé : les notes ne peuvent plus changer.")
    return _("La notation des pitchs ouvrira le jour des pitchs.")


def pitch_grid(campaign_id: int) -> list[Criterion]:
    return list(
        db.session.scalars(
            select(Criterion)
            .where(Criterion.campaign_id == campaign_id, Criterion.grid == GridKind.PITCH.value)
            .order_by(Criterion.position, Criterion.id)
        )
    )


@dataclass(frozen=True)
class PitchItem:
    proposal_id: int
    title: str
    administration: str
    starts_at: datetime | None
    scored: bool


@dataclass(frozen=True)
class PitchListPage:
    campaign: Campaign
    items: list[PitchItem]
    scored: int
    refusal: str | None
    next_to_score: int | None

    @property
    def percent(self) -> int:
        return round(100 * self.scored / len(self.items)) if self.items else 0


def _juror_pitches(campaign: Campaign, juror_id: int) -> list[PitchItem]:
    """The pitches this juror may hear (conflicts excluded), in slot order."""
    visible = jury.visible_proposal_ids_for_juror(campaign.id, juror_id, ReviewPhase.PITCH.value)
    if not visible:
        return []
    proposals = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.administration).where(Proposal.id.in_(visible))
    ).all()
    starts = dict(
        db.session.execute(
            select(PitchSlot.proposal_id, PitchSlot.starts_at).where(
                PitchSlot.campaign_id == campaign.id, PitchSlot.proposal_id.in_(visible)
            )
        ).all()
    )
    scored = set(
        db.session.scalars(
            select(Review.proposal_id).where(
                Review.campaign_id == campaign.id,
                Review.juror_id == juror_id,
                Review.phase == ReviewPhase.PITCH.value,
                Review.status == ReviewStatus.SUBMITTED.value,
            )
        )
    )
    items = [
        PitchItem(p.id, p.title, p.administration, starts.get(p.id), p.id in scored)
        for p in proposals
    ]
    far = datetime.max
    items.sort(key=lambda i: (i.starts_at or far, i.proposal_id))
    return items


def juror_pitches(user: User, campaign_id: int) -> PitchListPage:
    campaign = juror_campaign(user, campaign_id)
    items = _juror_pitches(campaign, user.id)
    return PitchListPage(
        campaign=campaign,
        items=items,
        scored=sum(1 for i in items if i.scored),
        refusal=scoring_refusal(campaign),
        next_to_score=next((i.proposal_id for i in items if not i.scored), None),
    )


@dataclass(frozen=True)
class PitchScorePage:
    campaign: Campaign
    proposal: Proposal
    starts_at: datetime | None
    position: int  # 1-based, in slot order
    total: int
    previous_id: int | None
    next_id: int | None
    next_unscored_id: int | None
    criteria: list[Criterion]
    scores: dict[int, float]
    comment_for_jury: str
    message_for_agent: str
    submitted: bool
    refusal: str | None


def pitch_score_page(user: User, campaign_id: int, proposal_id: int) -> PitchScorePage:
    campaign = juror_campaign(user, campaign_id)
    items = _juror_pitches(campaign, user.id)
    ids = [i.proposal_id for i in items]
    if proposal_id not in ids:
        raise NotFound
    index = ids.index(proposal_id)
    proposal = db.session.get(Proposal, proposal_id)
    review = _own_pitch_review(user.id, proposal_id)
    scores = {s.criterion_id: s.score for s in review.scores} if review else {}
    after = items[index + 1 :] + items[:index]
    return PitchScorePage(
        campaign=campaign,
        proposal=proposal,
        starts_at=items[index].starts_at,
        position=index + 1,
        total=len(items),
        previous_id=ids[index - 1] if index > 0 else None,
        next_id=ids[index + 1] if index + 1 < len(ids) else None,
        next_unscored_id=next((i.proposal_id for i in after if not i.scored), None),
        criteria=pitch_grid(campaign.id),
        scores=scores,
        comment_for_jury=review.comment_for_jury if review else "",
        message_for_agent=review.message_for_agent if review else "",
        submitted=bool(review and review.status == ReviewStatus.SUBMITTED.value),
        refusal=scoring_refusal(campaign),
    )


def _own_pitch_review(juror_id: int, proposal_id: int) -> Review | None:
    return db.session.scalar(
        select(Review).where(
            Review.proposal_id == proposal_id,
            Review.juror_id == juror_id,
            Review.phase == ReviewPhase.PITCH.value,
        )
    )


@dataclass(frozen=True)
class PitchScoreInput:
    scores: Mapping[int, int | None]  # criterion id -> level (None: not chosen)
    comment_for_jury: str = ""
    message_for_agent: str = ""


def save_pitch_score(
    user: User, campaign_id: int, proposal_id: int, data: PitchScoreInput
) -> Review:
    """Score one pitch on the pitch grid (every criterion); revisable while it is pitch day."""
    campaign = juror_campaign(user, campaign_id)
    visible = jury.visible_proposal_ids_for_juror(campaign.id, user.id, ReviewPhase.PITCH.value)
    if proposal_id not in visible:
        raise NotFound
    refusal = scoring_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    criteria = pitch_grid(campaign.id)
    if not criteria:
        raise Refused(
            _("La grille des pitchs n’est pas encore prête : prévenez les organisateurs.")
        )
    scores = _validated_scores(criteria, data)
    review = _own_pitch_review(user.id, proposal_id)
    created = review is None
    now = utcnow()
    if review is None:
        review = Review(
            campaign_id=campaign.id,
            proposal_id=proposal_id,
            juror_id=user.id,
            phase=ReviewPhase.PITCH.value,
        )
        db.session.add(review)
    review.status = ReviewStatus.SUBMITTED.value
    review.comment_for_jury = data.comment_for_jury.strip()
    review.message_for_agent = data.message_for_agent.strip()
    review.updated_at = now
    review.submitted_at = now
    existing = {s.criterion_id: s for s in review.scores}
    for criterion_id, value in scores.items():
        if criterion_id in existing:
            existing[criterion_id].score = value
        else:
            review.scores.append(ReviewScore(criterion_id=criterion_id, score=value))
    db.session.flush()
    audit.record(
        "results.pitch_scored",
        actor=user,
        campaign_id=campaign.id,
        target=review,
        details={
            "proposal_id": proposal_id,
            "created": created,
            "scores": {str(k): v for k, v in sorted(scores.items())},
        },
    )
    _commit()
    return review


def _validated_scores(criteria: Sequence[Criterion], data: PitchScoreInput) -> dict[int, float]:
    known = {c.id for c in criteria}
    errors: dict[str, str] = {}
    if any(k not in known for k in data.scores):
        raise Invalid({}, _("Une note porte sur un critère inconnu."))
    scores: dict[int, float] = {}
    for criterion in criteria:
        value = data.scores.get(criterion.id)
        if value is None:
            errors[f"criterion-{criterion.id}"] = _("Choisissez une note pour ce critère.")
        elif not criterion.scale_min <= value <= criterion.scale_max:
            errors[f"criterion-{criterion.id}"] = _(
                "Choisissez une note entre %(low)s et %(high)s.",
                low=criterion.scale_min,
                high=criterion.scale_max,
            )
        else:
            scores[criterion.id] = float(value)
    if len(data.comment_for_jury) > COMMENT_MAX:
        errors["comment_for_jury"] = _("%(max)s caractères au plus.", max=COMMENT_MAX)
    if len(data.message_for_agent) > MESSAGE_MAX:
        errors["message_for_agent"] = _("%(max)s caractères au plus.", max=MESSAGE_MAX)
    if errors:
        raise Invalid(errors, _("La note n’est pas enregistrée : corrigez les champs signalés."))
    return scores


# ---------------------------------------------------------------- progress and ranking -------


@dataclass(frozen=True)
class ProgressRow:
    proposal_id: int
    title: str
    starts_at: datetime | None
    scored: int
    expected: int  # jurors without a conflict with this proposal

    @property
    def percent(self) -> int:
        return round(100 * self.scored / self.expected) if self.expected else 0


@dataclass(frozen=True)
class PitchProgress:
    campaign: Campaign
    rows: list[ProgressRow]
    ranking: list[jury.RankingRow]  # the jury's pitch ranking
    by: str
    scored: int
    expected: int
    jurors: int
    scale_min: float
    scale_max: float
    grid_ready: bool
    refusal: str | None

    @property
    def percent(self) -> int:
        return round(100 * self.scored / self.expected) if self.expected else 0


def pitch_progress(user: User, campaign_id: int, by: str = "raw") -> PitchProgress:
    """Who scored which pitch, and the pitch ranking (raw or normalised), for organisers.

    The ranking is the jury's (``jury.service.ranking_report`` with phase "pitch"): the same
    rules as the written ranking, conflicted reviews never counted. A constant number of queries.
    """
    campaign = organiser_campaign(user, campaign_id)
    by = "normalised" if by == "normalised" else "raw"
    candidates = jury.pitch_candidates(campaign.id)
    jurors = jury.campaign_jurors(campaign.id)
    conflicts = jury.conflict_pairs(campaign, jurors, candidates)
    juror_ids = {j.id for j in jurors}
    done: dict[int, set[int]] = defaultdict(set)
    for proposal_id, juror_id in db.session.execute(
        select(Review.proposal_id, Review.juror_id).where(
            Review.campaign_id == campaign.id,
            Review.phase == ReviewPhase.PITCH.value,
            Review.status == ReviewStatus.SUBMITTED.value,
        )
    ):
        if juror_id in juror_ids and (juror_id, proposal_id) not in conflicts:
            done[proposal_id].add(juror_id)
    ids = [pid for pid, _a in candidates]
    titles = _titles(ids)
    starts = dict(
        db.session.execute(
            select(PitchSlot.proposal_id, PitchSlot.starts_at).where(
                PitchSlot.campaign_id == campaign.id, PitchSlot.proposal_id.is_not(None)
            )
        ).all()
    )
    rows = [
        ProgressRow(
            proposal_id=pid,
            title=titles.get(pid, ""),
            starts_at=starts.get(pid),
            scored=len(done[pid]),
            expected=sum(1 for j in juror_ids if (j, pid) not in conflicts),
        )
        for pid in ids
    ]
    far = datetime.max
    rows.sort(key=lambda r: (r.starts_at or far, r.proposal_id))
    report = jury.ranking_report(campaign.id, ReviewPhase.PITCH.value, by)
    ranking = list(report.rows)
    return PitchProgress(
        campaign=campaign,
        rows=rows,
        ranking=ranking,
        by=by,
        scored=sum(r.scored for r in rows),
        expected=sum(r.expected for r in rows),
        jurors=len(jurors),
        scale_min=report.scale_min,
        scale_max=report.scale_max,
        grid_ready=report.grid_ready,
        refusal=scoring_refusal(campaign),
    )


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def progress_as_json(progress: PitchProgress) -> dict[str, object]:
    """What the organiser's page polls (plain values only: no names of jurors)."""
    return {
        "scored": progress.scored,
        "expected": progress.expected,
        "percent": progress.percent,
        "by": progress.by,
        "rows": [
            {
                "proposal_id": r.proposal_id,
                "scored": r.scored,
                "expected": r.expected,
                "percent": r.percent,
            }
            for r in progress.rows
        ],
        "ranking": [
            {
                "rank": r.rank,
                "proposal_id": r.proposal_id,
                "title": r.title,
                "review_count": r.review_count,
                "mean": _score(r.mean),
                "median": _score(r.median),
                "stdev": _score(r.stdev),
                "normalised": _score(r.normalised),
                "disagreement": r.disagreement,
                "unnormalised": r.unnormalised_reviews > 0,
            }
            for r in progress.ranking
        ],
    }


# ---------------------------------------------------------------- laureates -----------------


def decision_refusal(campaign: Campaign) -> str | None:
    if campaign.status in DECISION_STATUSES:
        return None
    if campaign.status == CampaignStatus.ARCHIVED.value:
        return _("La campagne est archivée : les résultats ne peuvent plus changer.")
    return _(
        "Les lauréats se désignent après les pitchs : passez la campagne à l’étape « Pitchs » "
        "puis entendez les propositions présélectionnées."
    )


def _results_sent(campaign_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.campaign_id == campaign_id, OutboxMessage.kind == KIND_RESULT
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Candidate:
    proposal_id: int
    title: str
    administration: str
    pitch_rank: int | None
    pitch_mean: float | None
    pitch_normalised: float | None
    pitch_reviews: int
    written_rank: int | None
    outcome: str | None  # the recorded decision


@dataclass(frozen=True)
class LaureatesPage:
    campaign: Campaign
    candidates: list[Candidate]
    others: int  # proposals in competition that were not heard: not retained
    decided_at: datetime | None
    decided_by: str | None
    counts: dict[str, int]
    refusal: str | None
    locked: bool  # result messages already sent: the decision is final


def laureates_page(user: User, campaign_id: int) -> LaureatesPage:
    campaign = organiser_campaign(user, campaign_id)
    heard = pitch_list(campaign.id)
    # One ranking gives both scores: ``by`` only changes the order, not the values.
    pitch = {
        r.proposal_id: r for r in jury.campaign_ranking(campaign.id, "pitch", "raw", details=False)
    }
    decisions = {
        d.proposal_id: d
        for d in db.session.scalars(
            select(ResultDecision).where(ResultDecision.campaign_id == campaign.id)
        )
    }
    in_competition = (
        db.session.scalar(
            select(func.count(Proposal.id)).where(
                Proposal.campaign_id == campaign.id, Proposal.status.in_(IN_COMPETITION)
            )
        )
        or 0
    )
    candidates = []
    for p in heard:
        row = pitch.get(p.id)
        decision = decisions.get(p.id)
        outcome = decision.outcome if decision else None
        candidates.append(
            Candidate(
                proposal_id=p.id,
                title=p.title,
                administration=p.administration,
                pitch_rank=row.rank if row else None,
                pitch_mean=row.mean if row else None,
                pitch_normalised=row.normalised if row else None,
                pitch_reviews=row.review_count if row else 0,
                written_rank=p.written_rank,
                outcome=(
                    "not_retained" if outcome == Outcome.SHORTLISTED_NOT_RETAINED.value else outcome
                ),
            )
        )
    far = 10**9
    candidates.sort(key=lambda c: (c.pitch_rank or far, c.written_rank or far, c.proposal_id))
    latest = max(decisions.values(), key=lambda d: d.decided_at, default=None)
    decided_by = None
    if latest is not None and latest.decided_by_id:
        person = db.session.get(User, latest.decided_by_id)
        decided_by = person.display_name if person else None
    counts: dict[str, int] = defaultdict(int)
    for d in decisions.values():
        counts[d.outcome] += 1
    return LaureatesPage(
        campaign=campaign,
        candidates=candidates,
        others=max(in_competition - len(heard), 0),
        decided_at=latest.decided_at if latest else None,
        decided_by=decided_by,
        counts=dict(counts),
        refusal=decision_refusal(campaign),
        locked=_results_sent(campaign.id) > 0,
    )


@dataclass(frozen=True)
class DecisionSummary:
    laureates: int
    mentions: int
    shortlisted_not_retained: int
    not_retained: int


def record_results(user: User, campaign_id: int, choices: Mapping[int, str]) -> DecisionSummary:
    """Name the laureates and mentions among the pitches; every other proposal in competition
    is not retained. All or nothing; recorded with who and when, revisable until the result
    messages are sent."""
    campaign = organiser_campaign(user, campaign_id, lock=True)
    refusal = decision_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    if _results_sent(campaign.id):
        raise Refused(
            _(
                "Les messages de résultat sont déjà partis : la décision ne peut plus changer. "
                "Écrivez directement aux personnes concernées si une correction s’impose."
            )
        )
    heard = [p.id for p in pitch_list(campaign.id)]
    if not heard:
        raise Refused(_("Aucune proposition n’a été présélectionnée pour les pitchs."))
    errors: dict[str, str] = {}
    for proposal_id in heard:
        choice = choices.get(proposal_id)
        if choice not in PITCH_CHOICES:
            errors[f"outcome-{proposal_id}"] = _(
                "Choisissez « Lauréat », « Mention » ou « Non retenu »."
            )
    unknown = [pid for pid in choices if pid not in heard]
    if unknown:
        raise Invalid(
            {}, _("Rien n’est enregistré : une proposition choisie n’a pas été entendue.")
        )
    if errors:
        raise Invalid(errors, _("Rien n’est enregistré : choisissez une issue pour chaque pitch."))
    if not any(choices[pid] == Outcome.LAUREATE.value for pid in heard):
        raise Invalid({}, _("Rien n’est enregistré : désignez au moins un lauréat."))
    proposals = list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.campaign_id == campaign.id, Proposal.status.in_(IN_COMPETITION))
            .order_by(Proposal.id)
        )
    )
    decisions = {
        d.proposal_id: d
        for d in db.session.scalars(
            select(ResultDecision).where(ResultDecision.campaign_id == campaign.id)
        )
    }
    now = utcnow()
    heard_set = set(heard)
    tally: dict[str, int] = defaultdict(int)
    changed = {}
    for proposal in proposals:
        if proposal.id in heard_set:
            choice = choices[proposal.id]
            outcome = Outcome.SHORTLISTED_NOT_RETAINED.value if choice == "not_retained" else choice
        else:
            outcome = Outcome.NOT_RETAINED.value
        tally[outcome] += 1
        decision = decisions.get(proposal.id)
        if decision is not None and decision.outcome == outcome:
            continue
        if decision is None:
            decision = ResultDecision(campaign_id=campaign.id, proposal_id=proposal.id)
            db.session.add(decision)
        changed[str(proposal.id)] = [decision.outcome, outcome]
        decision.outcome = outcome
        decision.decided_by_id = user.id
        decision.decided_at = now
        status = STATUS_OF_OUTCOME[outcome]
        if proposal.status != status:
            proposal.status = status
    audit.record(
        "results.decided",
        actor=user,
        campaign_id=campaign.id,
        target=campaign,
        details={"changes": changed, "tally": dict(tally)},
    )
    _commit()
    return DecisionSummary(
        tally[Outcome.LAUREATE.value],
        tally[Outcome.MENTION.value],
        tally[Outcome.SHORTLISTED_NOT_RETAINED.value],
        tally[Outcome.NOT_RETAINED.value],
    )


# ---------------------------------------------------------------- result messages ------------


def _default_templates() -> dict[str, tuple[str, str, str]]:
    """(subject, body, next steps) per outcome, in the organiser's language."""
    signature = _("L’équipe de « {campagne} »")
    link = _("Retrouvez votre proposition sur la plateforme : {lien}")
    return {
        Outcome.LAUREATE.value: (
            _("Félicitations : votre proposition « {titre} » est lauréate"),
            "\n\n".join(
                (
                    _("Bonjour {prenom},"),
                    _(
                        "Le jury de « {campagne} » a le plaisir de vous annoncer que votre "
                        "proposition « {titre} » fait partie des lauréats. Bravo !"
                    ),
                    "{message_du_jury}",
                    "{prochaines_etapes}",
                    link,
                    signature,
                )
            ),
            _(
                "Et maintenant ? L’équipe d’accompagnement vous contactera dans les prochains "
                "jours pour préparer avec vous, votre hiérarchie et votre sponsor le lancement "
                "de votre Startup d’État : une phase d’investigation de six à neuf semaines, "
                "puis la construction d’un premier service."
            ),
        ),
        Outcome.MENTION.value: (
            _("Votre proposition « {titre} » reçoit une mention du jury"),
            "\n\n".join(
                (
                    _("Bonjour {prenom},"),
                    _(
                        "Le jury de « {campagne} » a tenu à distinguer votre proposition "
                        "« {titre} » par une mention : elle n’a pas été retenue parmi les "
                        "lauréats, mais elle a particulièrement retenu son attention."
                    ),
                    "{message_du_jury}",
                    "{prochaines_etapes}",
                    link,
                    signature,
                )
            ),
            _(
                "Les organisateurs reviendront vers vous pour voir comment faire vivre votre "
                "idée, par exemple avec l’équipe d’une Startup d’État existante."
            ),
        ),
        Outcome.SHORTLISTED_NOT_RETAINED.value: (
            _("Résultats de « {campagne} » : votre proposition « {titre} »"),
            "\n\n".join(
                (
                    _("Bonjour {prenom},"),
                    _(
                        "Merci d’être venu présenter votre proposition « {titre} » devant le "
                        "jury. Les pitchs étaient de grande qualité et le choix a été difficile : "
                        "votre proposition ne fait pas partie des lauréats de cette édition."
                    ),
                    "{message_du_jury}",
                    _(
                        "L’irritant que vous avez porté reste précieux : n’hésitez pas à le "
                        "proposer de nouveau lors d’un prochain appel."
                    ),
                    link,
                    signature,
                )
            ),
            "",
        ),
        Outcome.NOT_RETAINED.value: (
            _("Résultats de « {campagne} » : votre proposition « {titre} »"),
            "\n\n".join(
                (
                    _("Bonjour {prenom},"),
                    _(
                        "Le jury de « {campagne} » a lu votre proposition « {titre} » avec "
                        "attention. Elle n’a pas été retenue pour la suite de l’appel."
                    ),
                    "{message_du_jury}",
                    _(
                        "Merci d’avoir pris le temps de décrire cet irritant : chaque proposition "
                        "aide à voir ce qui gêne les usagers et les agents au quotidien."
                    ),
                    link,
                    signature,
                )
            ),
            "",
        ),
    }


@dataclass(frozen=True)
class Recipient:
    key: str  # "<proposal id>:<author id>", for the preview
    proposal_id: int
    title: str
    outcome: str
    author: AuthorContact
    dedup_key: str


def _result_key(campaign_id: int, proposal_id: int, email: str) -> str:
    key = f"result:c{campaign_id}:p{proposal_id}:{email.lower()}"
    if len(key) > 200:
        key = f"result:c{campaign_id}:p{proposal_id}:{_email_key(email)}"
    return key


def _recipients(campaign_id: int) -> list[Recipient]:
    """Every author of every decided proposal, by outcome then proposal: two queries."""
    rows = db.session.execute(
        select(ResultDecision.proposal_id, ResultDecision.outcome, Proposal.title)
        .join(Proposal, Proposal.id == ResultDecision.proposal_id)
        .where(ResultDecision.campaign_id == campaign_id)
        .order_by(Proposal.id)
    ).all()
    authors = _authors(r.proposal_id for r in rows)
    order = {o: i for i, o in enumerate(OUTCOME_ORDER)}
    result = [
        Recipient(
            key=f"{r.proposal_id}:{a.author_id}",
            proposal_id=r.proposal_id,
            title=r.title,
            outcome=r.outcome,
            author=a,
            dedup_key=_result_key(campaign_id, r.proposal_id, a.email),
        )
        for r in rows
        for a in authors.get(r.proposal_id, [])
    ]
    result.sort(key=lambda x: (order.get(x.outcome, 9), x.proposal_id, x.author.author_id))
    return result


def ensure_templates(campaign: Campaign, user: User | None) -> dict[str, ResultTemplate]:
    """The campaign's four templates, creating the missing ones with the default texts."""
    existing = {
        t.outcome: t
        for t in db.session.scalars(
            select(ResultTemplate).where(ResultTemplate.campaign_id == campaign.id)
        )
    }
    missing = [o for o in OUTCOME_ORDER if o not in existing]
    if missing:
        defaults = _default_templates()
        for outcome in missing:
            subject, body, next_steps = defaults[outcome]
            existing[outcome] = ResultTemplate(
                campaign_id=campaign.id,
                outcome=outcome,
                subject=subject,
                body=body,
                next_steps=next_steps,
                updated_by_id=user.id if user else None,
            )
            db.session.add(existing[outcome])
        audit.record(
            "results.templates_created",
            actor=user,
            campaign_id=campaign.id,
            target=campaign,
            details={"outcomes": missing},
        )
        try:
            _commit()
        except IntegrityError:
            # Another organiser opened the page at the same moment: theirs are kept.
            db.session.rollback()
            return ensure_templates(campaign, user)
    return existing


def send_refusal(campaign: Campaign, decided: int) -> str | None:
    if campaign.status != CampaignStatus.RESULTS.value:
        return _(
            "Les messages partent à l’étape « Résultats » : désignez les lauréats, puis passez "
            "la campagne à cette étape pour les envoyer."
        )
    if not decided:
        return _("Désignez d’abord les lauréats : aucune décision n’est enregistrée.")
    return None


@dataclass(frozen=True)
class MessagesPage:
    campaign: Campaign
    templates: dict[str, ResultTemplate]
    recipients: list[Recipient]
    counts: dict[str, int]  # recipients per outcome
    queued: int  # result messages already in the outbox
    edit_refusal: str | None
    send_refusal: str | None


def messages_page(user: User, campaign_id: int) -> MessagesPage:
    campaign = organiser_campaign(user, campaign_id)
    templates = ensure_templates(campaign, user)
    recipients = _recipients(campaign.id)
    counts: dict[str, int] = defaultdict(int)
    for r in recipients:
        counts[r.outcome] += 1
    decided = len({r.proposal_id for r in recipients})
    return MessagesPage(
        campaign=campaign,
        templates=templates,
        recipients=recipients,
        counts=dict(counts),
        queued=_results_sent(campaign.id),
        edit_refusal=template_refusal(campaign),
        send_refusal=send_refusal(campaign, decided),
    )


def template_refusal(campaign: Campaign) -> str | None:
    if campaign.status in TEMPLATE_STATUSES:
        return None
    return _("Les messages de résultat se préparent entre la présélection et les résultats.")


@dataclass(frozen=True)
class TemplateInput:
    subject: str
    body: str
    next_steps: str = ""


def _placeholder_errors(text: str) -> str | None:
    bad = placeholders.unknown(text)
    if not bad:
        return None
    return _(
        "Espace réservé inconnu : %(names)s. Utilisez ceux de la liste, par exemple {prenom}, "
        "ou doublez les accolades ({{ }}) pour écrire une accolade.",
        names=", ".join("{" + name + "}" for name in bad),
    )


def save_template(
    user: User, campaign_id: int, outcome: str, data: TemplateInput
) -> ResultTemplate:
    campaign = organiser_campaign(user, campaign_id, lock=True)
    if outcome not in OUTCOME_ORDER:
        raise NotFound
    refusal = template_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    subject = " ".join((data.subject or "").split())
    body = (data.body or "").replace("\r\n", "\n").strip()
    next_steps = (data.next_steps or "").replace("\r\n", "\n").strip()
    errors: dict[str, str] = {}
    for field, value, limit in (
        ("subject", subject, SUBJECT_MAX),
        ("body", body, BODY_MAX),
        ("next_steps", next_steps, NEXT_STEPS_MAX),
    ):
        if len(value) > limit:
            errors[field] = _("%(max)s caractères au plus.", max=limit)
        else:
            problem = _placeholder_errors(value)
            if problem:
                errors[field] = problem
    if not subject:
        errors["subject"] = _("Donnez un objet au message.")
    if not body:
        errors["body"] = _("Écrivez le texte du message.")
    if placeholders.NEXT_STEPS in placeholders.used(next_steps):
        errors["next_steps"] = _("Les prochaines étapes ne peuvent pas s’inclure elles-mêmes.")
    if errors:
        raise Invalid(errors)
    template = ensure_templates(campaign, user)[outcome]
    before = (template.subject, template.body, template.next_steps)
    if before == (subject, body, next_steps):
        return template
    template.subject, template.body, template.next_steps = subject, body, next_steps
    template.updated_by_id = user.id
    template.updated_at = utcnow()
    audit.record(
        "results.template_updated",
        actor=user,
        campaign_id=campaign.id,
        target=template,
        details={"outcome": outcome, "subject": subject, "body": body, "next_steps": next_steps},
    )
    _commit()
    return template


def _jury_message_text(messages: Sequence[str]) -> str:
    if not messages:
        return ""
    quoted = "\n\n".join(f"« {m} »" for m in messages)
    return _("Le jury vous adresse ce message :") + "\n\n" + quoted


def _link_endpoint() -> str:
    views = current_app.view_functions
    return "proposals.my_proposals" if "proposals.my_proposals" in views else "site.home"


def _html_paragraphs(text: str) -> list[Markup]:
    """Plain text as HTML paragraphs: escaped, line breaks kept, web addresses clickable."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = []
        for line in block.split("\n"):
            parts, last = [], 0
            for match in _URL.finditer(line):
                parts.append(escape(line[last : match.start()]))
                parts.append(Markup('<a href="{0}">{0}</a>').format(match.group(0)))
                last = match.end()
            parts.append(escape(line[last:]))
            lines.append(Markup("").join(parts))
        paragraphs.append(Markup("<br>").join(lines))
    return paragraphs


def _mail_context(
    campaign: Campaign,
    template: ResultTemplate,
    recipient: Recipient,
    jury_messages: Sequence[str],
) -> dict[str, object]:
    values = {
        placeholders.FIRST_NAME: recipient.author.first_name,
        placeholders.LAST_NAME: recipient.author.last_name,
        placeholders.TITLE: recipient.title,
        placeholders.CAMPAIGN: campaign.title,
        placeholders.JURY_MESSAGE: _jury_message_text(jury_messages),
        placeholders.LINK: external_url(_link_endpoint()),
    }
    values[placeholders.NEXT_STEPS] = placeholders.render(template.next_steps, values)
    body = placeholders.render(template.body, values)
    consent_link = None
    if recipient.outcome in FINAL_OUTCOMES:
        consent_link = external_url("results.name_consent", proposal_id=recipient.proposal_id)
    return {
        "subject": placeholders.render(template.subject, values),
        "body": body,
        "paragraphs": _html_paragraphs(body),
        "consent_link": consent_link,
        "campaign_title": campaign.title,
    }


def preview(user: User, campaign_id: int, recipient_key: str) -> tuple[Recipient, RenderedMail]:
    """The message one chosen recipient would receive, rendered as it will be sent."""
    campaign = organiser_campaign(user, campaign_id)
    templates = ensure_templates(campaign, user)
    recipient = next((r for r in _recipients(campaign.id) if r.key == recipient_key), None)
    if recipient is None:
        raise NotFound
    messages = jury_messages([recipient.proposal_id]).get(recipient.proposal_id, [])
    context = _mail_context(campaign, templates[recipient.outcome], recipient, messages)
    return recipient, render_mail(KIND_RESULT, context, user.locale or "fr")


@dataclass(frozen=True)
class SendReport:
    queued: int
    already: int


def send_results(user: User, campaign_id: int) -> SendReport:
    """Queue one message per author of every decided proposal. Sending again queues only the
    messages not queued yet (dedup key per campaign, proposal and recipient)."""
    campaign = organiser_campaign(user, campaign_id, lock=True)
    recipients = _recipients(campaign.id)
    refusal = send_refusal(campaign, len(recipients))
    if refusal:
        raise Refused(refusal)
    templates = ensure_templates(campaign, user)
    for outcome, template in templates.items():
        if placeholders.unknown(template.subject + template.body + template.next_steps):
            raise Refused(
                _(
                    "Le modèle « %(outcome)s » contient un espace réservé inconnu : corrigez-le "
                    "avant l’envoi.",
                    outcome=OUTCOME_LABELS[outcome],
                )
            )
    existing = _existing_keys(campaign.id, KIND_RESULT)
    todo = [r for r in recipients if r.dedup_key not in existing]
    messages = jury_messages({r.proposal_id for r in todo})
    for recipient in todo:
        context = _mail_context(
            campaign,
            templates[recipient.outcome],
            recipient,
            messages.get(recipient.proposal_id, []),
        )
        outbox.queue(
            KIND_RESULT,
            recipient.author.email,
            context,
            user_id=recipient.author.user_id,
            campaign_id=campaign.id,
            dedup_key=recipient.dedup_key,
        )
    audit.record(
        "results.messages_sent",
        actor=user,
        campaign_id=campaign.id,
        target=campaign,
        details={"queued": len(todo), "already": len(recipients) - len(todo)},
    )
    _commit()
    return SendReport(len(todo), len(recipients) - len(todo))


@dataclass(frozen=True)
class DeliveryRow:
    recipient: Recipient
    message_id: int | None
    status: str | None  # None: not queued yet
    attempts: int
    sent_at: datetime | None
    last_error: str


@dataclass(frozen=True)
class DeliveryPage:
    campaign: Campaign
    rows: list[DeliveryRow]  # this page
    counts: dict[str, int]  # by status ("none": not queued)
    total: int
    matching: int
    status: str
    page: int
    pages: int


DELIVERY_FILTERS = ("none", *(s.value for s in MessageStatus))


def delivery_page(user: User, campaign_id: int, status: str = "", page: int = 1) -> DeliveryPage:
    """Each recipient of the result messages with the delivery of their message: four queries
    whatever the number of recipients."""
    campaign = organiser_campaign(user, campaign_id)
    recipients = _recipients(campaign.id)
    messages = {
        m.dedup_key: m
        for m in db.session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.dedup_key,
                OutboxMessage.status,
                OutboxMessage.attempts,
                OutboxMessage.sent_at,
                OutboxMessage.last_error,
            ).where(OutboxMessage.campaign_id == campaign.id, OutboxMessage.kind == KIND_RESULT)
        )
    }
    rows = []
    for r in recipients:
        m = messages.get(r.dedup_key)
        rows.append(
            DeliveryRow(
                recipient=r,
                message_id=m.id if m else None,
                status=m.status if m else None,
                attempts=m.attempts if m else 0,
                sent_at=m.sent_at if m else None,
                last_error=(m.last_error or "")[:300] if m else "",
            )
        )
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.status or "none"] += 1
    status = status if status in DELIVERY_FILTERS else ""
    shown = [r for r in rows if (r.status or "none") == status] if status else rows
    pages = max(1, -(-len(shown) // STATUS_PAGE_SIZE))
    page = min(max(page, 1), pages)
    return DeliveryPage(
        campaign=campaign,
        rows=shown[(page - 1) * STATUS_PAGE_SIZE : page * STATUS_PAGE_SIZE],
        counts=dict(counts),
        total=len(rows),
        matching=len(shown),
        status=status,
        page=page,
        pages=pages,
    )


def resend(user: User, campaign_id: int, message_id: int) -> OutboxMessage:
    """One more try of a convocation or result message that failed for good (organisers of its
    campaign; the same reset as ``notifications.service.retry_failed``)."""
    campaign = organiser_campaign(user, campaign_id, lock=True)
    message = db.session.get(OutboxMessage, message_id)
    if (
        message is None
        or message.campaign_id != campaign.id
        or message.kind not in RESENDABLE_KINDS
    ):
        raise NotFound
    if message.status != MessageStatus.FAILED.value:
        raise Refused(_("Ce message n’est pas en échec : il n’y a rien à renvoyer."))
    message.status = MessageStatus.PENDING.value
    message.next_attempt_at = utcnow()
    message.attempts = 0
    audit.record("results.message_resent", actor=user, campaign_id=campaign.id, target=message)
    _commit()
    _enqueue(message.id)
    return message


def _enqueue(message_id: int) -> None:
    """Hand the message to the worker now; if the broker is down, the outbox sweep will."""
    celery = current_app.extensions.get("celery")
    if celery is None:
        return
    # Broker down: the outbox sweep queues it within a minute.
    with contextlib.suppress(Exception):
        celery.send_task(outbox.DELIVER_TASK, args=[message_id], retry=False, ignore_result=True)


# ---------------------------------------------------------------- public page and consent ---


@dataclass(frozen=True)
class PublicLaureate:
    proposal_id: int
    outcome: str
    title: str
    irritant: str
    administration: str
    names: list[str]  # only the authors who agreed


@dataclass(frozen=True)
class PublicPage:
    campaign: Campaign
    laureates: list[PublicLaureate]
    mentions: list[PublicLaureate]


def public_laureates(slug: str) -> PublicPage:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None or campaign.status not in RESULTS_ANNOUNCED:
        raise NotFound
    rows = db.session.execute(
        select(
            Proposal.id,
            Proposal.title,
            Proposal.irritant,
            Proposal.administration,
            Proposal.publish_name_consent,
            ResultDecision.outcome,
        )
        .join(ResultDecision, ResultDecision.proposal_id == Proposal.id)
        .where(
            ResultDecision.campaign_id == campaign.id,
            ResultDecision.outcome.in_(FINAL_OUTCOMES),
            Proposal.status.in_((ProposalStatus.LAUREATE.value, ProposalStatus.MENTION.value)),
        )
        .order_by(Proposal.title, Proposal.id)
    ).all()
    ids = [r.id for r in rows]
    authors = _authors(ids)
    consents = _consents(ids)
    items = []
    for r in rows:
        names = [
            a.name
            for a in authors.get(r.id, [])
            if a.name and _agreed(a, consents, r.publish_name_consent)
        ]
        items.append(PublicLaureate(r.id, r.outcome, r.title, r.irritant, r.administration, names))
    return PublicPage(
        campaign=campaign,
        laureates=[i for i in items if i.outcome == Outcome.LAUREATE.value],
        mentions=[i for i in items if i.outcome == Outcome.MENTION.value],
    )


def _consents(proposal_ids: Sequence[int]) -> dict[int, bool]:
    if not proposal_ids:
        return {}
    return dict(
        db.session.execute(
            select(NameConsent.author_id, NameConsent.consent).where(
                NameConsent.proposal_id.in_(list(proposal_ids))
            )
        ).all()
    )


def _agreed(author: AuthorContact, consents: Mapping[int, bool], proposal_consent: bool) -> bool:
    if author.author_id in consents:
        return consents[author.author_id]
    return author.role == AuthorRole.SUBMITTER.value and bool(proposal_consent)


@dataclass(frozen=True)
class ConsentPage:
    proposal_id: int
    title: str
    outcome: str
    campaign: Campaign
    consent: bool


def _laureate_authorship(user: User, proposal_id: int) -> tuple[Proposal, AuthorContact, str]:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound
    decision = db.session.scalar(
        select(ResultDecision).where(ResultDecision.proposal_id == proposal.id)
    )
    campaign = db.session.get(Campaign, proposal.campaign_id)
    if (
        decision is None
        or decision.outcome not in FINAL_OUTCOMES
        or campaign is None
        or campaign.status not in RESULTS_ANNOUNCED
    ):
        raise NotFound
    author = next(
        (
            a
            for a in _authors([proposal.id])[proposal.id]
            if a.user_id == user.id or a.email == (user.email or "").lower()
        ),
        None,
    )
    if author is None:
        raise NotFound
    return proposal, author, decision.outcome


def consent_page(user: User, proposal_id: int) -> ConsentPage:
    proposal, author, outcome = _laureate_authorship(user, proposal_id)
    consents = _consents([proposal.id])
    return ConsentPage(
        proposal_id=proposal.id,
        title=proposal.title,
        outcome=outcome,
        campaign=proposal.campaign,
        consent=_agreed(author, consents, proposal.publish_name_consent),
    )


def set_name_consent(user: User, proposal_id: int, consent: bool) -> None:
    """A laureate (or mentioned) author lets the public page show their name, or stops it."""
    proposal, author, _outcome = _laureate_authorship(user, proposal_id)
    row = db.session.scalar(select(NameConsent).where(NameConsent.author_id == author.author_id))
    if row is None:
        row = NameConsent(proposal_id=proposal.id, author_id=author.author_id)
        db.session.add(row)
    row.consent = consent
    row.decided_at = utcnow()
    if author.role == AuthorRole.SUBMITTER.value and proposal.publish_name_consent != consent:
        # The proposal's own flag is the submitter's answer: keep it in step.
        db.session.execute(
            update(Proposal)
            .where(Proposal.id == proposal.id)
            .values(publish_name_consent=consent)
            .execution_options(synchronize_session="fetch")
        )
    audit.record(
        "results.name_consent",
        actor=user,
        campaign_id=proposal.campaign_id,
        target=proposal,
        details={"author_id": author.author_id, "consent": consent},
    )
    _commit()


# ---------------------------------------------------------------- for "Mes propositions" ----
