"""Two authors editing at once: the second save is refused with what changed, never merged."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import event, func, insert, select, update

from challenge.extensions import db
from challenge.proposals.fields import ProposalInput
from challenge.proposals.models import Proposal, ProposalVersion
from challenge.proposals.refusals import SaveConflict
from challenge.proposals.service import coauthors, drafting
from tests.proposals.builders import (  # noqa: F401
    COMPLETE,
    client_for,
    counts,
    csrf,
    in_request,
    make_campaign,
    make_proposal,
    make_user,
    one_user_per_request,
    proposal_row,
    version_on,
)


@pytest.fixture
def two_authors(app: Flask):  # type: ignore[no-untyped-def]
    campaign = make_campaign()
    anne = make_user()
    lea = make_user("lea.petit@francetravail.fr", first_name="Léa", last_name="Petit")
    proposal = make_proposal(anne, campaign, coauthors=(lea.email,))
    return proposal, client_for(app, anne), client_for(app, lea)


def test_the_second_save_gets_a_conflict_with_the_other_persons_changes(two_authors) -> None:  # type: ignore[no-untyped-def]
    proposal, anne, lea = two_authors
    opened_by_anne = version_on(anne, proposal.id)
    opened_by_lea = version_on(lea, proposal.id)
    assert opened_by_anne == opened_by_lea

    response = lea.post(
        f"/propositions/{proposal.id}/modifier",
        data={
            "csrf_token": csrf(lea),
            "version": opened_by_lea,
            **{**COMPLETE, "title": "Le titre de Léa", "irritant": "L’irritant selon Léa"},
        },
    )
    assert response.status_code == 302
    saved_by_lea = proposal_row(proposal.id)
    before = counts()

    anne_text = "La solution d’Anne, écrite pendant que Léa enregistrait."
    response = anne.post(
        f"/propositions/{proposal.id}/modifier",
        data={
            "csrf_token": csrf(anne),
            "version": opened_by_anne,
            **{**COMPLETE, "title": "Le titre d’Anne", "solution": anne_text},
        },
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    # Nothing silently overwritten: the database is as Léa left it.
    assert counts() == before
    assert proposal_row(proposal.id).title == "Le titre de Léa"
    assert proposal_row(proposal.id).solution == saved_by_lea.solution
    # A clear message, who changed what, field by field.
    assert "Quelqu’un a enregistré cette proposition pendant que vous écriviez" in page
    assert "Léa Petit" in page
    rows = dict(re.findall(r'<tr data-field="(\w+)">(.*?)</tr>', page, re.S))
    assert set(rows) >= {"title", "irritant"}
    assert "Un irritant" in rows["title"] and "Le titre de Léa" in rows["title"]
    assert "L’irritant selon Léa" in rows["irritant"]
    # Anne's text is kept in the form, now carrying the current version.
    assert anne_text in page and 'value="Le titre d’Anne"' in page
    assert re.search(rf'name="version"[^>]*value="{saved_by_lea.version}"', page)

    # Having read the changes, Anne saves again: her version wins, knowingly.
    response = anne.post(
        f"/propositions/{proposal.id}/modifier",
        data={
            "csrf_token": csrf(anne),
            "version": str(saved_by_lea.version),
            **{**COMPLETE, "title": "Le titre d’Anne", "solution": anne_text},
        },
    )
    assert response.status_code == 302
    final = proposal_row(proposal.id)
    assert final.title == "Le titre d’Anne" and final.solution == anne_text


def test_the_autosave_before_an_upload_answers_409_in_json(two_authors) -> None:  # type: ignore[no-untyped-def]
    proposal, anne, lea = two_authors
    stale = version_on(anne, proposal.id)
    lea.post(
        f"/propositions/{proposal.id}/modifier",
        data={"csrf_token": csrf(lea), "version": stale, **COMPLETE},
    )
    response = anne.post(
        f"/propositions/{proposal.id}/modifier",
        data={"csrf_token": csrf(anne), "version": stale, "action": "save", **COMPLETE},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 409
    assert response.json["conflict"] is True
    fresh = version_on(anne, proposal.id)
    response = anne.post(
        f"/propositions/{proposal.id}/modifier",
        data={
            "csrf_token": csrf(anne),
            "version": fresh,
            "action": "save",
            **COMPLETE,
            "title": "T",
        },
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200 and response.json["ok"] is True
    assert response.json["version"] == proposal_row(proposal.id).version


@pytest.mark.usefixtures("in_request")
def test_a_write_racing_between_read_and_update_is_a_conflict_too(app: Flask) -> None:
    """Both requests read version N; the other commits first; ours must not overwrite it."""
    campaign = make_campaign()
    anne = make_user()
    lea = make_user("lea.petit@francetravail.fr", first_name="Léa", last_name="Petit")
    proposal = make_proposal(anne, campaign, coauthors=(lea.email,))
    proposal_id, base = proposal.id, proposal.version
    table = Proposal.__table__
    versions = ProposalVersion.__table__

    fired: list[bool] = []

    def concurrent_writer(session, flush_context, instances) -> None:  # type: ignore[no-untyped-def]
        if fired:
            return
        fired.append(True)
        with db.engine.begin() as other:
            other.execute(
                update(table)
                .where(table.c.id == proposal_id)
                .values(title="Écrit par Léa entre-temps", version=table.c.version + 1)
            )
            number = other.scalar(
                select(func.max(versions.c.number)).where(versions.c.proposal_id == proposal_id)
            )
            other.execute(
                insert(versions).values(
                    proposal_id=proposal_id,
                    number=number + 1,
                    author_id=lea.id,
                    at=func.now(),
                    event="saved",
                    changed_fields=["title"],
                    snapshot={"title": "Écrit par Léa entre-temps", "answers": {}},
                    lock_version=base + 1,
                )
            )

    event.listen(db.session(), "before_flush", concurrent_writer)
    data = ProposalInput(title="Écrit par Anne", irritant="Ce qui ne va pas")
    try:
        with pytest.raises(SaveConflict) as raised:
            drafting.save(proposal_id, anne, data, base)
    finally:
        event.remove(db.session(), "before_flush", concurrent_writer)
    assert fired
    conflict = raised.value
    assert conflict.current_version == base + 1
    assert "Léa Petit" in conflict.editors
    title = next(c for c in conflict.changes if c.field == "title")
    assert title.after == "Écrit par Léa entre-temps"
    assert proposal_row(proposal_id).title == "Écrit par Léa entre-temps"


@pytest.mark.usefixtures("in_request")
def test_saving_twice_with_the_same_version_is_a_conflict(app: Flask) -> None:
    """A double click, or the back button: the second identical post does not slip through."""
    campaign = make_campaign()
    anne = make_user()
    proposal = make_proposal(anne, campaign)
    base = proposal.version
    drafting.save(proposal.id, anne, ProposalInput(title="Premier"), base)
    with pytest.raises(SaveConflict):
        drafting.save(proposal.id, anne, ProposalInput(title="Second"), base)
    assert proposal_row(proposal.id).title == "Premier"


@pytest.mark.usefixtures("in_request")
def test_adding_a_co_author_does_not_make_an_open_form_stale(app: Flask) -> None:
    campaign = make_campaign()
    anne = make_user()
    proposal = make_proposal(anne, campaign)
    base = proposal.version
    coauthors.invite_coauthor(proposal.id, anne, "lea.petit@francetravail.fr")
    result = drafting.save(proposal.id, anne, ProposalInput(title="Toujours bon"), base)
    assert result.proposal.title == "Toujours bon"
