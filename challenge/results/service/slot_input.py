"""What an organiser types to create or change pitch slots, checked before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _

from challenge.results import slots as slot_algo
from challenge.results.models import PitchSlot
from challenge.results.queries.slots import existing_slots, pure_slot
from challenge.results.service.checks import nothing_saved
from challenge.timeutils import paris_to_utc, utc_to_paris, utcnow

LOCATION_MAX = 300
VIDEO_LINK_MAX = 500


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
class Place:
    location: str
    video_link: str


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def checked_place(location: str | None, video_link: str | None, errors: dict[str, str]) -> Place:
    """The place, cleaned; what is wrong with it goes into ``errors``."""
    place = Place(_clean(location), _clean(video_link))
    if not place.location and not place.video_link:
        errors["location"] = _("Indiquez un lieu, un lien de visioconférence, ou les deux.")
    if len(place.location) > LOCATION_MAX:
        errors["location"] = _("%(max)s caractères au plus.", max=LOCATION_MAX)
    if place.video_link:
        if len(place.video_link) > VIDEO_LINK_MAX:
            errors["video_link"] = _("%(max)s caractères au plus.", max=VIDEO_LINK_MAX)
        elif not re.fullmatch(r"https?://[^\s<>\"']+\.[^\s<>\"']+", place.video_link):
            errors["video_link"] = _(
                "Donnez une adresse complète commençant par https://, par exemple "
                "https://webinaire.numerique.gouv.fr/…"
            )
    return place


def checked_int(value: int | None, field: str, low: int, high: int, errors: dict[str, str]) -> int:
    if value is None or not low <= value <= high:
        errors[field] = _("Indiquez un nombre entre %(low)s et %(high)s.", low=low, high=high)
        return low
    return value


def paris_start(day: date | None, start: time | None, errors: dict[str, str]) -> datetime | None:
    if day is None:
        errors["day"] = _("Indiquez la date du pitch, au format JJ/MM/AAAA.")
    if start is None:
        errors["start"] = _("Indiquez l’heure de début, au format HH:MM.")
    if day is None or start is None:
        return None
    return datetime.combine(day, start.replace(second=0, microsecond=0))


def format_paris(value: datetime) -> str:
    return utc_to_paris(value).strftime("%d/%m/%Y %H:%M")


def past_error() -> str:
    return _("Ce moment est passé : choisissez une date et une heure à venir.")


def checked_plan(data: GenerateInput) -> tuple[slot_algo.Plan, Place, datetime]:
    """The generator's plan, place and first start (Paris time); Invalid if anything is off."""
    errors: dict[str, str] = {}
    plan = slot_algo.Plan(
        checked_int(data.count, "count", 1, slot_algo.MAX_SLOTS_PER_RUN, errors),
        checked_int(data.duration, "duration", 1, slot_algo.MAX_DURATION_MINUTES, errors),
        checked_int(data.gap or 0, "gap", 0, 120, errors),
        checked_int(data.break_every or 0, "break_every", 0, 100, errors),
        checked_int(data.break_minutes or 0, "break_minutes", 0, 240, errors),
    )
    place = checked_place(data.location, data.video_link, errors)
    first = paris_start(data.day, data.start, errors)
    if errors or first is None:
        raise nothing_saved(errors)
    return plan, place, first


def checked_slot(
    campaign_id: int, data: SlotInput, slot: PitchSlot | None
) -> tuple[datetime, int, Place]:
    """One slot's start (UTC), duration and place; Invalid if off, past, or overlapping."""
    errors: dict[str, str] = {}
    duration = checked_int(data.duration, "duration", 1, slot_algo.MAX_DURATION_MINUTES, errors)
    place = checked_place(data.location, data.video_link, errors)
    local = paris_start(data.day, data.start, errors)
    starts_at = paris_to_utc(local) if local is not None else None
    if starts_at is not None:
        unchanged = slot is not None and slot.starts_at == starts_at
        if not unchanged and starts_at < utcnow():
            errors["day"] = past_error()
        else:
            others = [pure_slot(s) for s in existing_slots(campaign_id)]
            candidate = slot_algo.Slot(slot.id if slot else -1, starts_at, duration)
            clash = slot_algo.overlapping(candidate, others)
            if clash:
                errors["start"] = _(
                    "Ce créneau chevauche celui du %(when)s : un seul jury entend les pitchs.",
                    when=format_paris(clash[0].starts_at),
                )
    if errors or starts_at is None:
        raise nothing_saved(errors)
    return starts_at, duration, place
