"""An export built end to end by a real ``celery -A worker worker`` process (embedded broker,
SQLite): the page sends the task, the worker streams the rows and reports its progress, the page
reads 100 % and the file downloads."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import insert, select

from challenge.exports.models import ExportJob
from challenge.extensions import db
from challenge.proposals.models import Proposal
from tests.conftest import IsolatedClient, wait_until
from tests.conftest import test_env as environment
from tests.exports.builders import build_world, sign_in

pytestmark = pytest.mark.worker

EXTRA_PROPOSALS = 3_000  # enough rows for several progress reports


def test_a_real_worker_builds_an_export_with_progress(
    app: Flask, instance: Path, start_worker, post_form
) -> None:
    app.test_client_class = IsolatedClient
    world = build_world()
    agent = world.agents[0]
    db.session.execute(
        insert(Proposal),
        [
            {
                "campaign_id": world.campaign.id,
                "submitter_id": agent.id,
                "status": "submitted",
                "title": f"Proposition {n}",
                "irritant": "Un irritant " * 20,
                "solution": "Une solution " * 20,
                "answers": {},
                "version": 1,
            }
            for n in range(EXTRA_PROPOSALS)
        ],
    )
    db.session.commit()
    worker = start_worker(environment(instance))

    client = app.test_client()
    sign_in(client, world.organiser)
    url = f"/organisation/campagnes/{world.campaign.id}/exports"
    response = post_form(client, url, {"format": "xlsx", "view": "proposals", "separator": ";"})
    assert response.status_code == 302
    job_id = db.session.scalar(select(ExportJob.id).order_by(ExportJob.id.desc()))

    seen: list[int] = []

    def finished() -> bool:
        state = client.get(f"/exports/{job_id}/etat.json").get_json()
        seen.append(state["percent"])
        return state["finished"]

    try:
        wait_until(finished, timeout=90, interval=0.2, message="the export did not finish")
    except AssertionError:
        print(worker.output())
        raise
    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    assert job.status == "done", (job.error, worker.output())
    # Proposals, reviews, pitch reviews, ranking (the new ones are in competition), laureates.
    total = (EXTRA_PROPOSALS + 4) + 7 + 2 + (EXTRA_PROPOSALS + 3) + 2
    assert (job.rows_done, job.rows_total) == (total, total)
    assert seen[-1] == 100
    assert seen == sorted(seen), "progress never goes back"
    print("progress seen by the page:", sorted(set(seen)))
    assert "worker.tasks_exports.build_export" in worker.output()

    response = client.get(f"/exports/{job_id}/fichier")
    assert response.status_code == 200
    path = instance / "downloaded.xlsx"
    path.write_bytes(response.data)
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook["Propositions"].max_row == 1 + EXTRA_PROPOSALS + 4
