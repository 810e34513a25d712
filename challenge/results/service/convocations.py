"""Convocations to pitch day: one e-mail per author with a calendar invitation and a personal
link to confirm or ask for another slot; then the agent's answer, which may alert the organisers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from email.utils import parseaddr

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from challenge.access.campaigns import campaign_for_organiser
from challenge.accounts.models import Membership, Role, User
from challenge.campaigns.models import Campaign
from challenge.errors import Refused
from challenge.extensions import db
from challenge.notifications import service as outbox
from challenge.notifications.rendering import external_url
from challenge.results import ics
from challenge.results.models import PitchSlot, SlotConfirmation
from challenge.results.queries.answer import answer_token, slot_from_token
from challenge.results.queries.outbox import (
    KIND_CHANGE_REQUEST,
    KIND_CONVOCATION,
    convocation_prefix,
    convoked_proposals,
    email_key,
    existing_keys,
)
from challenge.results.queries.phases import convocation_refusal
from challenge.results.queries.proposals import AuthorContact, authors_of, titles_of
from challenge.results.queries.slots import existing_slots
from challenge.results.service.checks import nothing_saved
from challenge.timeutils import utcnow
from challenge.unit_of_work import Work, unit_of_work

NOTE_MAX = 1000


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
    campaign = campaign_for_organiser(user, campaign_id, lock=True)
    refusal = convocation_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    now = utcnow()
    upcoming = [s for s in existing_slots(campaign.id) if s.proposal_id and s.starts_at > now]
    if not upcoming:
        raise Refused(_("Aucun créneau à venir ne porte de proposition : rien à envoyer."))
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        queued = _Convocations(campaign, upcoming).queue(work)
        for slot in upcoming:
            if slot.convoked_at is None:
                slot.convoked_at = now
        work.audit(
            "results.convocations_sent",
            target=campaign,
            details={"messages": queued, "slots": [s.id for s in upcoming]},
        )
    return queued


class _Convocations:
    """The convocations of these slots not queued yet as the slots are now."""

    def __init__(self, campaign: Campaign, slots: Sequence[PitchSlot]) -> None:
        self.campaign = campaign
        self.slots = slots
        self.authors = authors_of(s.proposal_id for s in slots)
        self.titles = titles_of(s.proposal_id for s in slots)
        self.sent = existing_keys(campaign.id, KIND_CONVOCATION)
        self.convoked_before = convoked_proposals(campaign.id)

    def queue(self, work: Work) -> int:
        queued = 0
        for slot in self.slots:
            prefix = convocation_prefix(self.campaign.id, slot)
            for author in self.authors.get(slot.proposal_id or 0, []):
                key = prefix + email_key(author.email)
                if key not in self.sent:
                    self._queue_one(work, slot, author, key)
                    self.sent.add(key)
                    queued += 1
        return queued

    def _queue_one(self, work: Work, slot: PitchSlot, author: AuthorContact, key: str) -> None:
        title = self.titles.get(slot.proposal_id or 0, "")
        contacts = self.authors.get(slot.proposal_id or 0, [])
        link = external_url("results.pitch_answer", token=answer_token(slot, author.email))
        invitation = _invitation(self.campaign, slot, title, contacts, link)
        work.mail(
            KIND_CONVOCATION,
            to=author.email,
            context={
                "campaign_title": self.campaign.title,
                "title": title,
                "first_name": author.first_name,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "duration": slot.duration_minutes,
                "location": slot.location,
                "video_link": slot.video_link,
                "answer_link": link,
                "updated": slot.proposal_id in self.convoked_before,
            },
            user_id=author.user_id,
            dedup_key=key,
            attachments=[outbox.Attachment(ics.FILENAME, ics.CONTENT_TYPE, invitation)],
        )


def answer_convocation(token: str, *, confirm: bool, note: str = "") -> PitchSlot:
    """The agent confirms the slot, or asks for another one (the organisers are told)."""
    slot, email = slot_from_token(token, lock=True)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise nothing_saved({"note": _("%(max)s caractères au plus.", max=NOTE_MAX)})
    if not confirm and not note:
        raise nothing_saved({"note": _("Dites-nous quels moments vous conviendraient mieux.")})
    with unit_of_work(actor=None, campaign_id=slot.campaign_id) as work:
        slot.confirmation = (
            SlotConfirmation.CONFIRMED.value if confirm else SlotConfirmation.CHANGE_REQUESTED.value
        )
        slot.confirmation_note = note
        slot.answered_at = utcnow()
        work.audit(
            "results.convocation_answered",
            target=slot,
            details={"email": email, "confirmation": slot.confirmation, "note": note},
        )
        if not confirm:
            _tell_organisers_of_change(work, slot, email, note)
    return slot


def _tell_organisers_of_change(work: Work, slot: PitchSlot, email: str, note: str) -> None:
    campaign = db.session.get(Campaign, slot.campaign_id)
    organisers = db.session.execute(
        select(Membership.email, Membership.user_id).where(
            Membership.campaign_id == slot.campaign_id,
            Membership.role == Role.ORGANISER.value,
        )
    ).all()
    title = titles_of([slot.proposal_id or 0]).get(slot.proposal_id or 0, "")
    link = external_url("results.pitch_slots", campaign_id=slot.campaign_id)
    stamp = hashlib.sha256(note.encode()).hexdigest()[:8]
    for row in organisers:
        work.mail(
            KIND_CHANGE_REQUEST,
            to=row.email,
            context={
                "campaign_title": campaign.title if campaign else "",
                "title": title,
                "author_email": email,
                "starts_at": slot.starts_at,
                "note": note,
                "link": link,
            },
            user_id=row.user_id,
            dedup_key=(
                f"pitch-change:s{slot.id}:p{slot.proposal_id}:{slot.starts_at:%Y%m%d%H%M}:"
                f"{stamp}:{email_key(row.email)}"
            ),
        )
