"""The calendar invitation (.ics) attached to a pitch convocation, built with ``icalendar``.

Pure: no Flask. Times are given as naive UTC (as stored) and written in UTC (``...Z``), which
every calendar shows in its own time zone.

The UID names the *convocation of one proposal* (campaign and proposal), not the slot: when a
proposal is moved to another slot, the updated invitation carries the same UID and a higher
SEQUENCE, so the agent's calendar moves the event instead of keeping a stale one beside the new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//beta.gouv.fr//Y a-t-il un intrapreneur parmi nous//FR"
CONTENT_TYPE = "text/calendar"
FILENAME = "convocation-pitch.ics"
# SEQUENCE must grow with every update of an event; seconds since this epoch always do, without
# storing a counter, and stay far below 2**31 for decades.
SEQUENCE_EPOCH = datetime(2025, 1, 1)


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""


@dataclass(frozen=True)
class Invitation:
    uid: str
    starts_at: datetime  # naive UTC
    duration_minutes: int
    summary: str
    description: str
    organizer_email: str
    organizer_name: str = ""
    location: str = ""
    url: str = ""
    attendees: tuple[Attendee, ...] = field(default_factory=tuple)
    sequence: int = 0
    stamp: datetime | None = None  # naive UTC; now by default

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


def sequence_at(moment: datetime) -> int:
    """A SEQUENCE that grows with time (``moment`` naive UTC)."""
    return max(0, int((moment - SEQUENCE_EPOCH).total_seconds()))


def uid_for(campaign_id: int, proposal_id: int, domain: str) -> str:
    return f"pitch-{campaign_id}-{proposal_id}@{domain}"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def build(invitation: Invitation) -> bytes:
    """The ``METHOD:REQUEST`` calendar holding the pitch as one event."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    calendar.add("calscale", "GREGORIAN")

    event = Event()
    event.add("uid", invitation.uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", _utc(invitation.stamp or datetime.now(UTC)))
    event.add("dtstart", _utc(invitation.starts_at))
    event.add("dtend", _utc(invitation.ends_at))
    event.add("summary", invitation.summary)
    event.add("description", invitation.description)
    if invitation.location:
        event.add("location", invitation.location)
    elif invitation.url:
        event.add("location", invitation.url)
    if invitation.url:
        event.add("url", invitation.url)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(invitation.organizer_email, invitation.organizer_name))
    for attendee in invitation.attendees:
        event.add(
            "attendee",
            _address(
                attendee.email,
                attendee.name,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="FALSE",
            ),
        )
    calendar.add_component(event)
    return calendar.to_ical()
