"""Who may request, follow and download which export; expiry by beat; bad input.

Requests go through the pages (CSRF on); the worker's job is done by calling the service the
task wraps (the real worker is in test_export_worker.py).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from challenge.audit.models import AuditEvent
from challenge.exports.models import ExportJob
from challenge.exports.service.building import build_export
from challenge.extensions import db
from challenge.timeutils import utcnow
from tests.conftest import IsolatedClient
from tests.exports.builders import World, build_world, read_csv, sign_in
from tests.factories import count_queries
from worker.tasks_exports import purge_expired_exports


@pytest.fixture(autouse=True)
def isolated_requests(app: Flask) -> None:
    """Every client's request in its own application context, as in production."""
    app.test_client_class = IsolatedClient


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def world(app: Flask) -> World:
    return build_world()


def exports_url(world: World) -> str:
    return f"/organisation/campagnes/{world.campaign.id}/exports"


def juror_url(world: World) -> str:
    return f"/jury/campagnes/{world.campaign.id}/exports"


def request_export(client: FlaskClient, post_form, url: str, **data: str):  # type: ignore[no-untyped-def]
    return post_form(client, url, {"format": "csv", "view": "proposals", "separator": ";", **data})


def latest_job() -> ExportJob:
    db.session.expire_all()
    return db.session.scalars(select(ExportJob).order_by(ExportJob.id.desc())).first()


def built_job(client: FlaskClient, post_form, url: str, **data: str) -> ExportJob:  # type: ignore[no-untyped-def]
    """Request an export from the page, run the worker's job, return the finished job."""
    response = request_export(client, post_form, url, **data)
    assert response.status_code == 302, response.get_data(as_text=True)
    job = latest_job()
    assert response.headers["Location"].endswith(f"/exports/{job.id}")
    assert build_export(job.id) == "done", latest_job().error
    return latest_job()


def audit_actions(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# ---------------------------------------------------------------- the organisers' page ------


def test_organiser_page_offers_every_format(client: FlaskClient, world: World) -> None:
    sign_in(client, world.organiser)
    response = client.get(exports_url(world))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for value in ("csv", "xlsx", "pdf", "json"):
        assert f'id="format-{value}"' in html
    assert 'data-testid="organiser-nav"' in html  # the campaign's menu, from the campaigns domain
    assert "Exporter" in html


@pytest.mark.parametrize("who", ["outsider", "juror"])
def test_others_get_403_on_the_organisers_page(
    client: FlaskClient, world: World, post_form, who: str
) -> None:
    user = world.outsider if who == "outsider" else world.jurors[0]
    sign_in(client, user)
    assert client.get(exports_url(world)).status_code == 403
    if who == "juror":  # a valid CSRF token from the juror's own page changes nothing
        data = {"format": "csv", "view": "proposals", "separator": ";"}
        response = post_form(client, juror_url(world), data, action=exports_url(world))
    else:
        response = client.post(exports_url(world), data={"format": "csv"})
    assert response.status_code in (400, 403)
    assert db.session.scalar(select(func.count(ExportJob.id))) == 0


def test_unknown_campaign_is_404_and_anonymous_people_sign_in(
    client: FlaskClient, world: World
) -> None:
    assert client.get(exports_url(world)).status_code == 302  # to the sign-in page
    sign_in(client, world.organiser)
    assert client.get("/organisation/campagnes/9999/exports").status_code == 404
    assert client.get("/organisation/campagnes/abc/exports").status_code == 404
    assert client.get("/exports/9999").status_code == 404
    assert client.get("/exports/abc/fichier").status_code == 404


def test_organiser_exports_follows_and_downloads_with_audit(
    client: FlaskClient, world: World, post_form
) -> None:
    sign_in(client, world.organiser)
    response = request_export(client, post_form, exports_url(world))
    job = latest_job()
    assert job.status == "queued" and job.audience == "organiser"
    assert job.requested_by_id == world.organiser.id
    assert audit_actions("export.requested")[0].target_id == job.id
    page = client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert "<progress" in page and 'max="100"' in page
    assert "Actualiser l’avancement" in page  # works without JavaScript
    assert client.get(f"/exports/{job.id}/etat.json").get_json()["percent"] == 0

    assert response.status_code == 302
    assert build_export(job.id) == "done"
    assert build_export(job.id) == "done"  # a second delivery changes nothing
    job = latest_job()
    assert (job.rows_done, job.rows_total, job.progress_percent) == (4, 4, 100)
    assert job.expires_at == job.finished_at + timedelta(days=7)
    state = client.get(f"/exports/{job.id}/etat.json").get_json()
    assert state["status"] == "done" and state["percent"] == 100 and state["finished"]
    assert state["download_url"] == f"/exports/{job.id}/fichier"
    page = client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert f'href="/exports/{job.id}/fichier"' in page

    download = client.get(f"/exports/{job.id}/fichier")
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "appel-exports-propositions-" in download.headers["Content-Disposition"]
    assert "no-store" in download.headers["Cache-Control"]
    rows = read_csv(download.data)
    assert len(rows) == 1 + 4
    events = audit_actions("export.downloaded")
    assert len(events) == 1
    assert (events[0].actor_id, events[0].target_id) == (world.organiser.id, job.id)
    # The file lives in EXPORT_FOLDER, outside static/, under a random name.
    folder = Path(client.application.config["EXPORT_FOLDER"])
    assert (folder / job.storage_key).is_file()
    assert "static" not in folder.parts
    assert job.storage_key not in page


def test_others_never_reach_an_organisers_export(app: Flask, world: World, post_form) -> None:
    organiser = app.test_client()
    sign_in(organiser, world.organiser)
    job = built_job(organiser, post_form, exports_url(world))
    for user in (world.outsider, world.jurors[0], world.agents[0]):
        other = app.test_client()
        sign_in(other, user)
        for path in ("", "/etat.json", "/fichier"):
            assert other.get(f"/exports/{job.id}{path}").status_code == 404, (user.email, path)
    anonymous = app.test_client()
    assert anonymous.get(f"/exports/{job.id}/fichier").status_code == 302
    assert audit_actions("export.downloaded") == []


def test_an_organiser_of_another_campaign_gets_404(app: Flask, world: World, post_form) -> None:
    from challenge.accounts.models import Role
    from tests.exports.builders import add_role

    organiser = app.test_client()
    sign_in(organiser, world.organiser)
    job = built_job(organiser, post_form, exports_url(world))
    add_role(world.other_campaign, world.outsider, Role.ORGANISER)
    db.session.commit()
    other = app.test_client()
    sign_in(other, world.outsider)
    assert other.get(f"/exports/{job.id}/fichier").status_code == 404
    assert other.get(exports_url(world)).status_code == 403


# ---------------------------------------------------------------- bad input ------------------


def test_bad_input_is_refused_beside_the_field_and_creates_nothing(
    client: FlaskClient, world: World, post_form
) -> None:
    sign_in(client, world.organiser)
    response = request_export(client, post_form, exports_url(world), format="exe")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="format-error"' in html
    response = request_export(client, post_form, exports_url(world), view="secrets")
    assert response.status_code == 200
    assert 'id="view-error"' in response.get_data(as_text=True)
    response = request_export(client, post_form, exports_url(world), separator="|")
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(ExportJob.id))) == 0


def test_json_needs_published_results(app: Flask, post_form) -> None:
    world = build_world(status="review")
    client = app.test_client()
    sign_in(client, world.organiser)
    html = client.get(exports_url(world)).get_data(as_text=True)
    assert re.search(r'id="format-json"[^>]*disabled', html)
    response = request_export(client, post_form, exports_url(world), format="json")
    assert response.status_code == 200
    assert "résultats de la campagne sont publiés" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ExportJob.id))) == 0


def test_at_most_three_exports_in_preparation_per_person(
    client: FlaskClient, world: World, post_form
) -> None:
    sign_in(client, world.organiser)
    for _ in range(3):
        assert request_export(client, post_form, exports_url(world)).status_code == 302
    response = request_export(client, post_form, exports_url(world))
    assert response.status_code == 200
    assert "exports en préparation" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ExportJob.id))) == 3


def test_the_page_issues_as_many_queries_for_1_or_10_jobs(
    client: FlaskClient, world: World, post_form
) -> None:
    sign_in(client, world.organiser)

    def queries_of_the_page() -> int:
        with count_queries() as statements:
            assert client.get(exports_url(world)).status_code == 200
        return len(statements)

    built_job(client, post_form, exports_url(world))
    one = queries_of_the_page()
    for _ in range(9):
        db.session.add(
            ExportJob(
                campaign_id=world.campaign.id,
                requested_by_id=world.organiser.id,
                format="xlsx",
                status="done",
            )
        )
    db.session.commit()
    assert queries_of_the_page() == one


# ---------------------------------------------------------------- jurors' exports ------------


def juror_rows(app: Flask, post_form, world: World, juror_index: int, view: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, world.jurors[juror_index])
    job = built_job(client, post_form, juror_url(world), view=view)
    assert job.audience == "juror"
    response = client.get(f"/exports/{job.id}/fichier")
    assert response.status_code == 200
    assert "-jury-" in response.headers["Content-Disposition"]
    return read_csv(response.data)


def test_a_conflicted_jurors_export_leaves_the_proposal_out(
    app: Flask, world: World, post_form
) -> None:
    laureate, mention, not_retained, _withdrawn = world.proposals
    rows = juror_rows(app, post_form, world, 1, "proposals")  # Bruno, in conflict with mention
    ids = {int(row[0]) for row in rows[1:]}
    assert ids == {laureate.id, not_retained.id}
    text = "\n".join(";".join(row) for row in rows)
    assert "Dédouaner en un clic" not in text
    assert "E-mail du porteur" not in rows[0]  # contacts are for organisers
    assert "Porteur" in rows[0]  # not blind: the authors are shown

    reviews = juror_rows(app, post_form, world, 1, "reviews")
    header = reviews[0]
    body = [dict(zip(header, row, strict=True)) for row in reviews[1:]]
    assert {int(r["N° de la proposition"]) for r in body} == {laureate.id, not_retained.id}
    assert "E-mail du juré" not in header
    # "after_own": he submitted on the laureate, so he sees the others' reviews there; on the
    # other one his review is a draft: he sees only his own.
    on_laureate = sorted(r["Juré"] for r in body if r["N° de la proposition"] == str(laureate.id))
    assert on_laureate == ["Alice Juré", "Bruno Juré", "Chloé Juré"]
    on_other = [
        (r["Juré"], r["État"]) for r in body if r["N° de la proposition"] == str(not_retained.id)
    ]
    assert on_other == [("Bruno Juré", "Brouillon")]
    # Others' messages to the agents are not the juror's to read.
    assert all(r["Message pour l’agent"] == "" for r in body if r["Juré"] != "Bruno Juré")


def test_a_conflicted_jurors_review_is_hidden_from_the_others(
    app: Flask, world: World, post_form
) -> None:
    reviews = juror_rows(app, post_form, world, 0, "reviews")  # Alice, no conflict
    text = "\n".join(";".join(row) for row in reviews)
    assert "Conflit caché" not in text  # Bruno's review of the mention, where he is in conflict
    mention = world.proposals[1]
    names = [row[2] for row in reviews[1:] if row[0] == str(mention.id)]
    assert sorted(names) == ["Alice Juré", "Chloé Juré"]


def test_blind_review_hides_authors_from_jurors_exports(app: Flask, post_form) -> None:
    world = build_world(status="review", blind=True, visibility="never")
    rows = juror_rows(app, post_form, world, 0, "proposals")
    header = rows[0]
    assert "Porteur" not in header and "Co-auteurs" not in header
    text = "\n".join(";".join(row) for row in rows)
    for name in ("Aline", "Basile", "Céline", "agent1@", "coautrice"):
        assert name not in text
    reviews = juror_rows(app, post_form, world, 0, "reviews")
    assert {row[2] for row in reviews[1:]} == {"Alice Juré"}  # "never": only her own reviews
    # The organisers' export of the same campaign keeps everything.
    organiser = app.test_client()
    sign_in(organiser, world.organiser)
    job = built_job(organiser, post_form, exports_url(world))
    assert "Aline Porteuse" in organiser.get(f"/exports/{job.id}/fichier").data.decode()


def test_jurors_may_only_export_tables_and_only_their_own_jobs(
    app: Flask, world: World, post_form
) -> None:
    alice = app.test_client()
    sign_in(alice, world.jurors[0])
    html = alice.get(juror_url(world)).get_data(as_text=True)
    assert 'id="format-pdf"' not in html and 'id="format-json"' not in html
    assert 'data-testid="organiser-nav"' not in html
    response = request_export(alice, post_form, juror_url(world), format="pdf")
    assert response.status_code == 200 and 'id="format-error"' in response.get_data(as_text=True)
    response = request_export(alice, post_form, juror_url(world), view="ranking")
    assert response.status_code == 200
    job = built_job(alice, post_form, juror_url(world), format="xlsx")
    response = alice.get(f"/exports/{job.id}/fichier")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Propositions", "Évaluations"]  # no ranking, no laureates

    chloe = app.test_client()
    sign_in(chloe, world.jurors[2])
    assert chloe.get(f"/exports/{job.id}/fichier").status_code == 404
    organiser = app.test_client()
    sign_in(organiser, world.organiser)
    assert organiser.get(f"/exports/{job.id}/fichier").status_code == 404
    assert f"/exports/{job.id}" not in organiser.get(exports_url(world)).get_data(as_text=True)
    outsider = app.test_client()
    sign_in(outsider, world.outsider)
    assert outsider.get(juror_url(world)).status_code == 404


def test_a_juror_removed_from_the_jury_loses_the_export(
    app: Flask, world: World, post_form
) -> None:
    from challenge.accounts.models import Membership

    alice = app.test_client()
    sign_in(alice, world.jurors[0])
    response = request_export(alice, post_form, juror_url(world))
    assert response.status_code == 302
    job = latest_job()
    db.session.execute(
        Membership.__table__.delete().where(Membership.user_id == world.jurors[0].id)
    )
    db.session.commit()
    assert build_export(job.id) == "failed"
    assert "jury" in latest_job().error
    assert alice.get(f"/exports/{job.id}").status_code == 404


# ---------------------------------------------------------------- expiry ---------------------


def test_beat_removes_expired_files_and_downloads_become_410(
    app: Flask, world: World, post_form
) -> None:
    client = app.test_client()
    sign_in(client, world.organiser)
    job = built_job(client, post_form, exports_url(world))
    path = Path(app.config["EXPORT_FOLDER"]) / job.storage_key
    assert path.is_file()
    assert purge_expired_exports() == 0  # not yet
    assert path.is_file()

    later = (job.expires_at + timedelta(minutes=1)).isoformat()
    assert purge_expired_exports(later) == 1  # the beat task, called as beat would
    assert not path.exists()
    job = latest_job()
    assert job.status == "expired"
    assert client.get(f"/exports/{job.id}/fichier").status_code == 410
    assert "expiré" in client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert purge_expired_exports(later) == 0  # idempotent
    assert audit_actions("export.expired")[0].target_id == job.id


def test_a_file_past_its_date_is_410_even_before_beat_runs(
    app: Flask, world: World, post_form
) -> None:
    client = app.test_client()
    sign_in(client, world.organiser)
    job = built_job(client, post_form, exports_url(world))
    db.session.execute(
        ExportJob.__table__.update()
        .where(ExportJob.id == job.id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert client.get(f"/exports/{job.id}/fichier").status_code == 410


def test_retention_follows_the_configuration(app: Flask, world: World, post_form) -> None:
    app.config["EXPORT_RETENTION_DAYS"] = 2
    client = app.test_client()
    sign_in(client, world.organiser)
    job = built_job(client, post_form, exports_url(world))
    assert job.expires_at == job.finished_at + timedelta(days=2)


def test_schema_is_public(client: FlaskClient) -> None:
    response = client.get("/donnees/schema-resultats.json")
    assert response.status_code == 200
    assert response.get_json()["$schema"].startswith("https://json-schema.org/")


# ---------------------------------------------------------------- the worker's side ----------


def test_a_job_left_running_by_a_dead_worker_is_taken_again(
    client: FlaskClient, world: World, post_form
) -> None:
    sign_in(client, world.organiser)
    request_export(client, post_form, exports_url(world))
    job = latest_job()
    db.session.execute(
        ExportJob.__table__.update()
        .where(ExportJob.id == job.id)
        .values(status="running", started_at=utcnow() - timedelta(minutes=5))
    )
    db.session.commit()
    assert build_export(job.id) == "running"  # a live worker may still be on it
    db.session.execute(
        ExportJob.__table__.update()
        .where(ExportJob.id == job.id)
        .values(started_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    assert build_export(job.id) == "done"


def test_an_unreachable_broker_fails_the_job_with_a_message(
    app: Flask, client: FlaskClient, world: World, post_form, monkeypatch
) -> None:
    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ConnectionError("broker down")

    monkeypatch.setattr(app.extensions["celery"], "send_task", refuse)
    sign_in(client, world.organiser)
    response = request_export(client, post_form, exports_url(world))
    assert response.status_code == 302
    job = latest_job()
    assert job.status == "failed" and "indisponible" in job.error
    page = client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert "indisponible" in page
