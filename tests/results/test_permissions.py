"""Who may open what in the results domain, bad input, and query counts of the list pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from challenge.extensions import db
from challenge.notifications.models import OutboxMessage
from challenge.results.models import PitchSlot
from challenge.results.service.laureates import record_results
from challenge.results.service.messages import send_results
from challenge.timeutils import utcnow
from tests.results.builders import (
    World,
    build_world,
    count_queries,
    csrf_token,
    sign_in,
)

ORGANISER_GETS = (
    "pitchs",
    "pitchs/suivi",
    "pitchs/suivi.json",
    "pitchs/creneaux/{slot}",
    "laureats",
    "messages",
    "messages/envois",
)
ORGANISER_POSTS = (
    "pitchs/generer",
    "pitchs/creneaux",
    "pitchs/creneaux/{slot}",
    "pitchs/creneaux/{slot}/supprimer",
    "pitchs/creneaux/{slot}/liberer",
    "pitchs/remplir",
    "pitchs/deplacer",
    "pitchs/convocations",
    "laureats",
    "messages/modeles/laureate",
    "messages/envoyer",
    "messages/{message}/renvoyer",
)


@pytest.fixture
def client(isolated_client: FlaskClient) -> FlaskClient:
    return isolated_client


def with_slot(world: World) -> PitchSlot:
    slot = PitchSlot(
        campaign_id=world.campaign.id,
        starts_at=utcnow().replace(microsecond=0) + timedelta(days=20),
        duration_minutes=15,
        location="Salle 1",
        video_link="",
        confirmation="pending",
        confirmation_note="",
        proposal_id=world.shortlist[0].id,
    )
    db.session.add(slot)
    db.session.commit()
    return slot


def failed_message(world: World) -> OutboxMessage:
    message = OutboxMessage(
        kind="result_message",
        campaign_id=world.campaign.id,
        to_address="a@b.fr",
        subject="s",
        body_text="t",
        message_id=f"<x{world.campaign.id}@t>",
        status="failed",
        dedup_key=f"result:c{world.campaign.id}:p1:a@b.fr",
    )
    db.session.add(message)
    db.session.commit()
    return message


def urls(
    world: World, paths: tuple[str, ...], slot: PitchSlot, message: OutboxMessage
) -> list[str]:
    base = f"/organisation/campagnes/{world.campaign.id}/"
    return [base + p.format(slot=slot.id, message=message.id) for p in paths]


def snapshot() -> tuple:
    db.session.expire_all()
    rows = db.session.execute(
        select(PitchSlot.id, PitchSlot.starts_at, PitchSlot.proposal_id).order_by(PitchSlot.id)
    ).all()
    return (
        tuple(rows),
        db.session.scalar(select(func.count(OutboxMessage.id))),
        tuple(db.session.execute(select(OutboxMessage.id, OutboxMessage.status)).all()),
    )


def test_organiser_pages_refuse_everyone_else(app, client) -> None:
    world = build_world(status="pitch")
    slot = with_slot(world)
    message = failed_message(world)
    other = build_world(status="pitch", slug="autre-appel", proposals=1, shortlisted=1)
    app.config["WTF_CSRF_ENABLED"] = False  # the permission is what is tested here
    people = {
        "organiser of another campaign": other.organiser,
        "juror": world.jurors[0],
        "agent": world.agents[0],
    }
    before = snapshot()
    for who, user in people.items():
        visitor = type(client)(app)
        sign_in(visitor, user)
        for target in urls(world, ORGANISER_GETS, slot, message):
            assert visitor.get(target).status_code == 403, (who, target)
        for target in urls(world, ORGANISER_POSTS, slot, message):
            response = visitor.post(target, data={"reset": "1", "proposal_id": "1", "slot_id": "1"})
            assert response.status_code == 403, (who, target, response.status_code)
    anonymous = type(client)(app)
    for target in urls(world, ORGANISER_GETS, slot, message):
        response = anonymous.get(target)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert snapshot() == before, "nothing changed"

    # Unknown campaign, non-numeric ids, another campaign's slot or message: 404.
    sign_in(client, world.organiser)
    assert client.get("/organisation/campagnes/999/pitchs").status_code == 404
    assert client.get("/organisation/campagnes/abc/pitchs").status_code == 404
    assert (
        client.get(f"/organisation/campagnes/{world.campaign.id}/pitchs/creneaux/x").status_code
        == 404
    )
    other_slot = with_slot(other)
    other_message = failed_message(other)
    base = f"/organisation/campagnes/{world.campaign.id}"
    assert client.get(f"{base}/pitchs/creneaux/{other_slot.id}").status_code == 404
    assert client.post(f"{base}/pitchs/creneaux/{other_slot.id}/supprimer").status_code == 404
    assert client.post(f"{base}/messages/{other_message.id}/renvoyer").status_code == 404
    assert client.post(f"{base}/messages/modeles/inconnu").status_code == 404
    assert db.session.get(PitchSlot, other_slot.id) is not None
    db.session.expire_all()
    assert db.session.get(OutboxMessage, other_message.id).status == "failed"


def test_juror_pages_are_for_the_campaign_jurors_only(app, client) -> None:
    world = build_world(status="pitch")
    other = build_world(status="pitch", slug="autre-appel", proposals=1, shortlisted=1)
    pages = [
        f"/jury/campagnes/{world.campaign.id}/pitchs",
        f"/jury/campagnes/{world.campaign.id}/pitchs/{world.shortlist[0].id}",
    ]
    for user in (world.organiser, world.agents[0], other.jurors[0]):
        visitor = type(client)(app)
        sign_in(visitor, user)
        for page in pages:
            assert visitor.get(page).status_code == 404, (user.email, page)
    juror = type(client)(app)
    sign_in(juror, world.jurors[0])
    # Not on the pitch list, another campaign's proposal, a non-numeric id: 404.
    base = f"/jury/campagnes/{world.campaign.id}/pitchs"
    assert juror.get(f"{base}/{world.proposals[4].id}").status_code == 404
    assert juror.get(f"{base}/{other.proposals[0].id}").status_code == 404
    assert juror.get(f"{base}/abc").status_code == 404
    assert juror.get(f"/jury/campagnes/{other.campaign.id}/pitchs").status_code == 404


def test_a_move_to_another_campaigns_slot_changes_nothing(app, client) -> None:
    world = build_world(status="shortlist")
    other = build_world(status="shortlist", slug="autre-appel", proposals=1, shortlisted=1)
    with_slot(world)
    foreign = with_slot(other)
    sign_in(client, world.organiser)
    page = f"/organisation/campagnes/{world.campaign.id}/pitchs"
    before = snapshot()
    for data in (
        {"proposal_id": str(world.shortlist[1].id), "slot_id": str(foreign.id)},
        {"proposal_id": str(other.proposals[0].id), "slot_id": str(foreign.id)},
        {"proposal_id": "abc", "slot_id": "1"},
        {},
    ):
        response = client.post(
            page + "/deplacer", data={"csrf_token": csrf_token(client, page), **data}
        )
        assert response.status_code == 400, data
    assert snapshot() == before


def test_a_post_without_csrf_is_refused(app, client) -> None:
    world = build_world(status="shortlist")
    sign_in(client, world.organiser)
    before = snapshot()
    response = client.post(f"/organisation/campagnes/{world.campaign.id}/pitchs/remplir")
    assert response.status_code == 400
    assert snapshot() == before


def campaign_with_recipients(count: int, slug: str) -> World:
    """``count`` result messages: ``count`` proposals, one author each (no co-author)."""
    world = build_world(status="pitch", proposals=count, shortlisted=3, slug=slug, coauthor=False)
    first, second, third = world.shortlist
    record_results(
        world.organiser,
        world.campaign.id,
        {first.id: "laureate", second.id: "mention", third.id: "not_retained"},
    )
    world.campaign.status = "results"
    db.session.commit()
    return world


def test_recipients_status_page_has_the_same_query_count_for_10_and_200(app, client) -> None:
    measures = {}
    for count in (10, 200):
        world = campaign_with_recipients(count, f"appel-{count}")
        with app.test_request_context():
            send_results(world.organiser, world.campaign.id)
        db.session.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.id % 3 == 0)
            .values(status="failed")
        )
        db.session.commit()
        visitor = type(client)(app)
        sign_in(visitor, world.organiser)
        page = f"/organisation/campagnes/{world.campaign.id}/messages/envois"
        with count_queries() as statements:
            response = visitor.get(page)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("data-recipient=") == min(count, 100)
        measures[count] = len(statements)
        other_pages = {}
        for path in ("laureats", "pitchs", "pitchs/suivi.json", "messages"):
            with count_queries() as statements:
                assert (
                    visitor.get(f"/organisation/campagnes/{world.campaign.id}/{path}").status_code
                    == 200
                )
            other_pages[path] = len(statements)
        measures[(count, "others")] = other_pages
    print(
        "queries of the recipients status page:", measures[10], "for 10,", measures[200], "for 200"
    )
    print("other pages:", measures[(10, "others")], measures[(200, "others")])
    assert measures[10] == measures[200]
    assert measures[(10, "others")] == measures[(200, "others")]
