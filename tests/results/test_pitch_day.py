"""Pitch day through the pages: slots, convocations with their invitation, answers, scoring."""

from __future__ import annotations

import html
import re
from base64 import b64decode
from datetime import date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select

from challenge.audit.models import AuditEvent
from challenge.extensions import db
from challenge.jury.models import Conflict, Review
from challenge.notifications.models import OutboxMessage
from challenge.results.models import PitchSlot
from challenge.timeutils import paris_to_utc, utcnow
from tests.results.builders import World, build_world, csrf_token, sign_in


@pytest.fixture
def client(isolated_client: FlaskClient) -> FlaskClient:
    return isolated_client


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def day_ahead(days: int = 30) -> date:
    return (utcnow() + timedelta(days=days)).date()


def slots_url(world: World) -> str:
    return f"/organisation/campagnes/{world.campaign.id}/pitchs"


def post(client: FlaskClient, page: str, action: str, data: dict[str, str], **kwargs):
    return client.post(action, data={"csrf_token": csrf_token(client, page), **data}, **kwargs)


def generate(client: FlaskClient, world: World, **fields: str):
    data = {
        "day": day_ahead().isoformat(),
        "start": "09:00",
        "count": "4",
        "duration": "15",
        "gap": "5",
        "break_every": "0",
        "break_minutes": "0",
        "location": "Salle Gambetta, Paris",
        "video_link": "",
    }
    data.update(fields)
    return post(client, slots_url(world), slots_url(world) + "/generer", data)


def slots(world: World) -> list[PitchSlot]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(PitchSlot)
            .where(PitchSlot.campaign_id == world.campaign.id)
            .order_by(PitchSlot.starts_at)
        )
    )


def outbox(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def invitation_of(message: OutboxMessage):
    (item,) = message.attachments
    assert item["filename"] == "convocation-pitch.ics"
    assert item["content_type"] == "text/calendar"
    calendar = Calendar.from_ical(b64decode(item["content"]))
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    return event


# ---------------------------------------------------------------- slots ---------------------


def test_generate_slots_in_paris_time_then_fill_in_ranking_order(app, client) -> None:
    world = build_world(status="shortlist")
    sign_in(client, world.organiser)
    response = generate(client, world, break_every="2", break_minutes="10")
    assert response.status_code == 302

    rows = slots(world)
    first = paris_to_utc(datetime.combine(day_ahead(), datetime.min.time()).replace(hour=9))
    assert [s.starts_at for s in rows] == [
        first,
        first + timedelta(minutes=20),
        first + timedelta(minutes=50),  # 10 minutes of break after two slots
        first + timedelta(minutes=70),
    ]
    assert {s.location for s in rows} == {"Salle Gambetta, Paris"}
    assert all(s.proposal_id is None for s in rows)

    response = post(client, slots_url(world), slots_url(world) + "/remplir", {})
    assert response.status_code == 302
    assert [s.proposal_id for s in slots(world)] == [p.id for p in world.shortlist] + [None]

    page = text(client.get(slots_url(world)))
    assert "Rang 1 à l’écrit" in page and "Proposition 0" in page
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "results.slots_filled")
        )
        == 1
    )


def test_filling_keeps_hand_moves_and_reset_restores_the_ranking(app, client) -> None:
    world = build_world(status="shortlist")
    sign_in(client, world.organiser)
    generate(client, world, count="3")
    post(client, slots_url(world), slots_url(world) + "/remplir", {})
    first, second, third = slots(world)
    # Swap the first and third proposals by hand.
    response = post(
        client,
        slots_url(world),
        slots_url(world) + "/deplacer",
        {"proposal_id": str(world.shortlist[0].id), "slot_id": str(third.id)},
    )
    assert response.status_code == 302
    expected = [world.shortlist[2].id, world.shortlist[1].id, world.shortlist[0].id]
    assert [s.proposal_id for s in slots(world)] == expected
    post(client, slots_url(world), slots_url(world) + "/remplir", {})
    assert [s.proposal_id for s in slots(world)] == expected, "a refill keeps hand moves"
    post(client, slots_url(world), slots_url(world) + "/remplir", {"reset": "1"})
    assert [s.proposal_id for s in slots(world)] == [p.id for p in world.shortlist]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"day": (utcnow() - timedelta(days=3)).date().isoformat()}, "day", "Ce moment est passé"),
        ({"location": "", "video_link": ""}, "location", "Indiquez un lieu"),
        ({"video_link": "visio chez moi"}, "video_link", "https://"),
        ({"count": "0"}, "count", "Entre 1 et 100"),
        ({"day": "31/02/2026"}, "day", "JJ/MM/AAAA"),
        ({"start": "25:99"}, "start", "HH:MM"),
    ],
)
def test_generator_errors_are_shown_beside_the_field_and_nothing_is_written(
    app, client, fields, field, message
) -> None:
    world = build_world(status="shortlist")
    sign_in(client, world.organiser)
    response = generate(client, world, **fields)
    assert response.status_code == 400
    page = text(response)
    match = re.search(rf'<p id="{field}-error" class="fr-error-text">([^<]*)</p>', page)
    assert match, f"no error beside {field}"
    assert message in match.group(1)
    assert slots(world) == []


def test_overlapping_slots_are_refused(app, client) -> None:
    world = build_world(status="shortlist")
    sign_in(client, world.organiser)
    generate(client, world, count="2")  # 9:00-9:15, 9:20-9:35
    response = generate(client, world, start="09:30", count="1")
    assert response.status_code == 400
    assert "chevauchent le créneau existant" in text(response)
    assert len(slots(world)) == 2

    first, second = slots(world)
    edit = f"{slots_url(world)}/creneaux/{second.id}"
    response = post(
        client,
        edit,
        edit,
        {
            "day": day_ahead().isoformat(),
            "start": "09:10",
            "duration": "15",
            "location": "Salle Gambetta, Paris",
            "video_link": "",
        },
    )
    assert response.status_code == 400
    assert re.search(r'id="start-error" class="fr-error-text">[^<]*chevauche', text(response))
    assert slots(world)[1].starts_at == second.starts_at

    response = post(
        client,
        edit,
        edit,
        {
            "day": day_ahead().isoformat(),
            "start": "09:15",
            "duration": "30",
            "location": "",
            "video_link": "https://webinaire.numerique.gouv.fr/abc",
        },
    )
    assert response.status_code == 302, "touching slots do not overlap"
    moved = slots(world)[1]
    assert (moved.duration_minutes, moved.location) == (30, "")
    assert moved.video_link == "https://webinaire.numerique.gouv.fr/abc"


def test_slots_cannot_change_once_the_results_are_out(app, client) -> None:
    world = build_world(status="results")
    sign_in(client, world.organiser)
    response = generate(client, world)
    assert response.status_code == 302
    assert "Le jour des pitchs est passé" in text(client.get(slots_url(world)))
    assert slots(world) == []


# ---------------------------------------------------------------- convocations --------------


def convoke(client: FlaskClient, world: World):
    return post(client, slots_url(world), slots_url(world) + "/convocations", {})


def test_convocations_carry_an_invitation_and_are_sent_once(app, client) -> None:
    world = build_world(status="pitch")
    sign_in(client, world.organiser)
    generate(client, world, count="3", video_link="https://webinaire.numerique.gouv.fr/jury")
    post(client, slots_url(world), slots_url(world) + "/remplir", {})
    assert convoke(client, world).status_code == 302

    messages = outbox("pitch_convocation")
    # Proposal 0 has a co-author: 3 submitters + 1 co-author.
    assert sorted(m.to_address for m in messages) == sorted(
        [
            world.agents[0].email,
            "coauteur0@francetravail.fr",
            world.agents[1].email,
            world.agents[2].email,
        ]
    )
    first_slot = slots(world)[0]
    to_first = [m for m in messages if m.to_address == world.agents[0].email][0]
    assert "Votre convocation au pitch" in to_first.subject
    assert "/pitch/reponse/" in to_first.body_text
    event = invitation_of(to_first)
    assert (
        str(event["UID"])
        == f"pitch-{world.campaign.id}-{world.shortlist[0].id}@intrapreneurs.beta.gouv.fr"
    )
    assert event.decoded("DTSTART").replace(tzinfo=None) == first_slot.starts_at
    assert event.decoded("DTEND").replace(tzinfo=None) == first_slot.starts_at + timedelta(
        minutes=15
    )
    assert str(event["LOCATION"]) == "Salle Gambetta, Paris"
    assert str(event["URL"]) == "https://webinaire.numerique.gouv.fr/jury"
    assert str(event["ORGANIZER"]) == "mailto:intrapreneurs@beta.gouv.fr"
    assert sorted(str(a) for a in event["ATTENDEE"]) == [
        f"mailto:{world.agents[0].email}",
        "mailto:coauteur0@francetravail.fr",
    ]
    assert all(s.convoked_at is not None for s in slots(world))

    # Sending again sends nothing.
    convoke(client, world)
    assert len(outbox("pitch_convocation")) == 4

    # A slot moves: only its authors get an updated invitation, same UID, higher SEQUENCE.
    edit = f"{slots_url(world)}/creneaux/{first_slot.id}"
    response = post(
        client,
        edit,
        edit,
        {
            "day": (day_ahead() + timedelta(days=1)).isoformat(),
            "start": "14:00",
            "duration": "15",
            "location": "Salle Gambetta, Paris",
            "video_link": "https://webinaire.numerique.gouv.fr/jury",
        },
    )
    assert response.status_code == 302
    assert slots(world)[-1].convoked_at is None
    convoke(client, world)
    messages = outbox("pitch_convocation")
    assert len(messages) == 6
    updates = messages[4:]
    assert sorted(m.to_address for m in updates) == sorted(
        [world.agents[0].email, "coauteur0@francetravail.fr"]
    )
    assert all("Mise à jour de votre convocation" in m.subject for m in updates)
    updated = invitation_of(updates[0])
    assert updated["UID"] == event["UID"]
    assert int(updated["SEQUENCE"]) >= int(event["SEQUENCE"])
    assert updated.decoded("DTSTART").replace(tzinfo=None) == slots(world)[-1].starts_at


def test_convocations_wait_for_the_pitch_phase(app, client) -> None:
    world = build_world(status="shortlist")
    sign_in(client, world.organiser)
    generate(client, world, count="3")
    post(client, slots_url(world), slots_url(world) + "/remplir", {})
    response = convoke(client, world)
    assert response.status_code == 302
    assert outbox("pitch_convocation") == []
    assert "Les convocations partent à l’étape des pitchs" in text(client.get(slots_url(world)))


def answer_link(message: OutboxMessage) -> str:
    return re.search(r"http://localhost(/pitch/reponse/\S+)", message.body_text).group(1)


def test_agents_confirm_or_ask_for_another_slot(app, client) -> None:
    world = build_world(status="pitch")
    sign_in(client, world.organiser)
    generate(client, world, count="3")
    post(client, slots_url(world), slots_url(world) + "/remplir", {})
    convoke(client, world)
    messages = outbox("pitch_convocation")
    link_0 = answer_link([m for m in messages if m.to_address == world.agents[0].email][0])
    link_1 = answer_link([m for m in messages if m.to_address == world.agents[1].email][0])

    agent = type(client)(app)  # anonymous: the signed link is enough
    page = text(agent.get(link_0))
    assert "Proposition 0" in page and "Salle Gambetta" in page
    response = post(agent, link_0, link_0, {"choice": "confirm", "note": ""})
    assert response.status_code == 302
    assert slots(world)[0].confirmation == "confirmed"

    # Asking for another slot needs a word on when.
    response = post(agent, link_1, link_1, {"choice": "change", "note": ""})
    assert response.status_code == 400
    assert "quels moments vous conviendraient" in text(response)
    assert slots(world)[1].confirmation == "pending"
    response = post(agent, link_1, link_1, {"choice": "change", "note": "Plutôt l’après-midi"})
    assert response.status_code == 302
    assert (slots(world)[1].confirmation, slots(world)[1].confirmation_note) == (
        "change_requested",
        "Plutôt l’après-midi",
    )
    (request,) = outbox("pitch_change_request")
    assert request.to_address == world.organiser.email
    assert "Plutôt l’après-midi" in request.body_text

    page = text(client.get(slots_url(world)))
    assert (
        "Confirmé" in page and "Demande un autre créneau" in page and "Plutôt l’après-midi" in page
    )

    # A tampered link, and a link to a slot that changed since, no longer work.
    assert agent.get(link_0[:-3] + "abc").status_code == 400
    first = slots(world)[0]
    edit = f"{slots_url(world)}/creneaux/{first.id}"
    post(
        client,
        edit,
        edit,
        {
            "day": day_ahead().isoformat(),
            "start": "08:00",
            "duration": "15",
            "location": "Salle Gambetta, Paris",
            "video_link": "",
        },
    )
    response = agent.get(link_0)
    assert response.status_code == 400
    assert "Ce créneau a changé" in text(response)
    assert slots(world)[0].confirmation == "pending", "a changed slot waits for a new answer"


# ---------------------------------------------------------------- scoring -------------------


def score_url(world: World, proposal_id: int) -> str:
    return f"/jury/campagnes/{world.campaign.id}/pitchs/{proposal_id}"


def pitch_score(client: FlaskClient, world: World, proposal_id: int, values: list[int | None]):
    data = {
        f"criterion-{c.id}": str(v)
        for c, v in zip(world.pitch_grid, values, strict=True)
        if v is not None
    }
    data["comment_for_jury"] = "Convaincant"
    data["message_for_agent"] = "Beau pitch, continuez !"
    url = score_url(world, proposal_id)
    return post(client, url, url, data)


def pitch_reviews(world: World) -> list[Review]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.campaign_id == world.campaign.id, Review.phase == "pitch")
            .order_by(Review.id)
        )
    )


@pytest.mark.parametrize("blind", [True, False])
def test_the_pitch_pages_show_the_administration_as_the_juror_view_says(
    app, client, blind: bool
) -> None:
    world = build_world(status="pitch")
    world.campaign.blind_review = blind
    for proposal in world.shortlist:
        proposal.administration = "Administration-Témoin-Xq7"
    db.session.commit()
    sign_in(client, world.jurors[0])
    listing = text(client.get(f"/jury/campagnes/{world.campaign.id}/pitchs"))
    page = text(client.get(score_url(world, world.shortlist[0].id)))
    assert world.shortlist[0].title in listing and world.shortlist[0].title in page
    assert ("Administration-Témoin-Xq7" in listing) is not blind
    assert ("Administration-Témoin-Xq7" in page) is not blind


def test_a_juror_scores_each_pitch_and_the_organiser_sees_progress(app, client) -> None:
    world = build_world(status="pitch")
    sign_in(client, world.organiser)
    generate(client, world, count="3")
    post(client, slots_url(world), slots_url(world) + "/remplir", {})
    juror, other, conflicted = world.jurors
    db.session.add(
        Conflict(
            campaign_id=world.campaign.id,
            juror_id=conflicted.id,
            proposal_id=world.shortlist[1].id,
            source="declared",
        )
    )
    db.session.commit()

    jury_client = type(client)(app)
    sign_in(jury_client, juror)
    listing = text(jury_client.get(f"/jury/campagnes/{world.campaign.id}/pitchs"))
    assert all(p.title in listing for p in world.shortlist)
    assert "Proposition 3" not in listing, "only the pitch list"

    page = text(jury_client.get(score_url(world, world.shortlist[0].id)))
    assert 'class="fr-radio-group fr-radio-rich"' in page
    assert "Clarté niveau 4" in page and "Pitch 1 sur 3" in page

    # Incomplete: nothing saved, the missing criterion says so.
    response = pitch_score(jury_client, world, world.shortlist[0].id, [3, None])
    assert response.status_code == 400
    assert "Choisissez une note pour ce critère." in text(response)
    assert pitch_reviews(world) == []

    response = pitch_score(jury_client, world, world.shortlist[0].id, [3, 4])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(score_url(world, world.shortlist[1].id))
    (review,) = pitch_reviews(world)
    assert (review.juror_id, review.status, review.message_for_agent) == (
        juror.id,
        "submitted",
        "Beau pitch, continuez !",
    )
    assert sorted(s.score for s in review.scores) == [3.0, 4.0]

    # Revising replaces the scores, never a second review.
    pitch_score(jury_client, world, world.shortlist[0].id, [4, 4])
    (review,) = pitch_reviews(world)
    assert sorted(s.score for s in review.scores) == [4.0, 4.0]

    # A juror in conflict neither sees nor scores the pitch.
    conflicted_client = type(client)(app)
    sign_in(conflicted_client, conflicted)
    assert conflicted_client.get(score_url(world, world.shortlist[1].id)).status_code == 404
    listing = text(conflicted_client.get(f"/jury/campagnes/{world.campaign.id}/pitchs"))
    assert world.shortlist[1].title not in listing
    token = csrf_token(conflicted_client, score_url(world, world.shortlist[0].id))
    response = conflicted_client.post(
        score_url(world, world.shortlist[1].id),
        data={"csrf_token": token, **{f"criterion-{c.id}": "4" for c in world.pitch_grid}},
    )
    assert response.status_code == 404
    assert len(pitch_reviews(world)) == 1

    other_client = type(client)(app)
    sign_in(other_client, other)
    pitch_score(other_client, world, world.shortlist[0].id, [2, 2])
    pitch_score(other_client, world, world.shortlist[1].id, [1, 1])

    data = client.get(f"/organisation/campagnes/{world.campaign.id}/pitchs/suivi.json").get_json()
    rows = {r["proposal_id"]: r for r in data["rows"]}
    assert (rows[world.shortlist[0].id]["scored"], rows[world.shortlist[0].id]["expected"]) == (
        2,
        3,
    )
    assert (rows[world.shortlist[1].id]["scored"], rows[world.shortlist[1].id]["expected"]) == (
        1,
        2,
    )
    assert (data["scored"], data["expected"]) == (3, 8)
    ranking = [r["proposal_id"] for r in data["ranking"] if r["rank"] is not None]
    assert ranking == [world.shortlist[0].id, world.shortlist[1].id]
    assert data["ranking"][0]["mean"] == 3.0
    assert "Juré" not in str(data), "no juror names in the polled data"

    page = text(
        client.get(f"/organisation/campagnes/{world.campaign.id}/pitchs/suivi?par=normalise")
    )
    assert "Classement par note normalisée" in page and "suivi.json?par=normalise" in page


def test_scoring_is_closed_outside_pitch_day(app, client) -> None:
    world = build_world(status="results")
    jury_client = client
    sign_in(jury_client, world.jurors[0])
    page = text(jury_client.get(score_url(world, world.shortlist[0].id)))
    assert "Le jour des pitchs est passé" in page
    token = csrf_token(jury_client, score_url(world, world.shortlist[0].id))
    response = jury_client.post(
        score_url(world, world.shortlist[0].id),
        data={"csrf_token": token, **{f"criterion-{c.id}": "4" for c in world.pitch_grid}},
    )
    assert response.status_code == 302
    assert pitch_reviews(world) == []


def test_a_failed_convocation_can_be_resent_from_the_slots_page(app, client) -> None:
    world = build_world(status="pitch")
    sign_in(client, world.organiser)
    generate(client, world, count="3")
    post(client, slots_url(world), slots_url(world) + "/remplir", {})
    convoke(client, world)
    failed = outbox("pitch_convocation")[0]
    failed.status, failed.attempts, failed.last_error = "failed", 8, "550 boîte inconnue"
    db.session.commit()

    page = text(client.get(slots_url(world)))
    assert "Échec" in page and f"Renvoyer à {failed.to_address}" in page
    response = post(
        client,
        slots_url(world),
        f"/organisation/campagnes/{world.campaign.id}/messages/{failed.id}/renvoyer",
        {},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(slots_url(world))
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).status == "pending"
