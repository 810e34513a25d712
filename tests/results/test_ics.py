"""The pitch invitation, built then parsed back with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar

from challenge.results.ics import Attendee, Invitation, build, sequence_at, uid_for


def invitation(**changes: object) -> Invitation:
    values: dict[str, object] = {
        "uid": uid_for(3, 17, "intrapreneurs.beta.gouv.fr"),
        "starts_at": datetime(2026, 6, 4, 7, 30),  # 9:30 in Paris (summer time)
        "duration_minutes": 15,
        "summary": "Pitch « Dossier unique, enfin » — Appel 2026",
        "description": "Pitch devant le jury, 3 minutes; puis questions, réponses.",
        "organizer_email": "intrapreneurs@beta.gouv.fr",
        "organizer_name": "Jury — Appel 2026",
        "location": "Salle Gambetta, 1 avenue du Docteur Gley, Paris",
        "url": "https://webinaire.numerique.gouv.fr/meeting/abc",
        "attendees": (
            Attendee("marie.curie@francetravail.fr", "Marie Curie"),
            Attendee("co.auteur@francetravail.fr"),
        ),
        "sequence": 42,
        "stamp": datetime(2026, 5, 1, 12, 0),
    }
    values.update(changes)
    return Invitation(**values)  # type: ignore[arg-type]


def parse(data: bytes) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_request_with_one_event_in_utc() -> None:
    calendar, event = parse(build(invitation()))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(event["UID"]) == "pitch-3-17@intrapreneurs.beta.gouv.fr"
    assert event.decoded("DTSTART") == datetime(2026, 6, 4, 7, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 6, 4, 7, 45, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    assert int(event["SEQUENCE"]) == 42
    assert str(event["SUMMARY"]) == "Pitch « Dossier unique, enfin » — Appel 2026"
    # Commas and semicolons survive the escaping.
    assert str(event["DESCRIPTION"]) == "Pitch devant le jury, 3 minutes; puis questions, réponses."
    assert str(event["LOCATION"]).startswith("Salle Gambetta, 1 avenue")
    assert str(event["URL"]) == "https://webinaire.numerique.gouv.fr/meeting/abc"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_organizer_and_attendees() -> None:
    _calendar, event = parse(build(invitation()))
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:intrapreneurs@beta.gouv.fr"
    assert organizer.params["CN"] == "Jury — Appel 2026"
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == [
        "mailto:marie.curie@francetravail.fr",
        "mailto:co.auteur@francetravail.fr",
    ]
    assert attendees[0].params["CN"] == "Marie Curie"
    assert attendees[0].params["ROLE"] == "REQ-PARTICIPANT"
    assert "CN" not in attendees[1].params


def test_video_only_pitch_puts_the_link_in_location() -> None:
    _calendar, event = parse(build(invitation(location="")))
    assert str(event["LOCATION"]) == "https://webinaire.numerique.gouv.fr/meeting/abc"


def test_place_only_pitch_has_no_url() -> None:
    _calendar, event = parse(build(invitation(url="")))
    assert "URL" not in event


def test_an_update_keeps_the_uid_and_raises_the_sequence() -> None:
    first = sequence_at(datetime(2026, 5, 1, 12, 0))
    later = sequence_at(datetime(2026, 5, 1, 12, 0, 1))
    assert 0 < first < later < 2**31
    _c, before = parse(build(invitation(sequence=first)))
    _c, after = parse(build(invitation(sequence=later, starts_at=datetime(2026, 6, 4, 8, 0))))
    assert before["UID"] == after["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
