"""Attachments: type from the content, size limit with the French 413 page and the text kept,
stored outside static/ under random keys, served only to those who may read the proposal."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from challenge.accounts.models import Membership
from challenge.config import PROJECT_ROOT
from challenge.extensions import db
from challenge.proposals.models import Attachment, ProposalVersion
from tests.proposals.builders import (  # noqa: F401
    client_for,
    counts,
    csrf,
    make_campaign,
    make_proposal,
    make_user,
    one_user_per_request,
    proposal_row,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "docx":
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
        elif kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("readme.txt", "just a zip")
    return buffer.getvalue()


@pytest.fixture
def author(app: Flask):  # type: ignore[no-untyped-def]
    campaign = make_campaign()
    agent = make_user()
    proposal = make_proposal(agent, campaign, status="submitted")
    return campaign, agent, proposal, client_for(app, agent)


def upload(
    client, proposal_id: int, content: bytes, name: str, content_type: str = "application/pdf"
):  # type: ignore[no-untyped-def]
    return client.post(
        f"/propositions/{proposal_id}/pieces-jointes",
        data={"csrf_token": csrf(client), "file": (io.BytesIO(content), name, content_type)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("content", "name", "expected_type", "expected_name"),
    [
        (PDF, "étude d’impact.pdf", "application/pdf", "étude d’impact.pdf"),
        (PNG, "capture.PNG", "image/png", "capture.PNG"),
        (
            office("docx"),
            "note.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "note.docx",
        ),
        (office("odt"), "note.odt", "application/vnd.oasis.opendocument.text", "note.odt"),
        # The content decides, not the name: a PDF called .png is served as the PDF it is.
        (PDF, "photo.png", "application/pdf", "photo.png.pdf"),
        (PDF, "../../etc/passwd", "application/pdf", "passwd.pdf"),
    ],
)
def test_accepted_files_are_stored_under_a_random_key_outside_static(
    app: Flask,
    author,
    content: bytes,
    name: str,
    expected_type: str,
    expected_name: str,  # type: ignore[no-untyped-def]
) -> None:
    _campaign, _agent, proposal, client = author
    response = upload(
        client, proposal.id, content, name, "text/html"
    )  # the browser's type is ignored
    assert response.status_code == 302
    attachment = db.session.scalar(select(Attachment))
    assert attachment.content_type == expected_type
    assert attachment.filename == expected_name
    assert attachment.size == len(content)
    key = attachment.storage_key
    assert len(key) == 32 and name not in key
    stored = Path(app.config["UPLOAD_FOLDER"]) / key[:2] / key
    assert stored.read_bytes() == content
    assert not stored.resolve().is_relative_to((PROJECT_ROOT / "static").resolve())
    version = db.session.scalar(
        select(ProposalVersion).where(ProposalVersion.event == "attachment_added")
    )
    assert version.snapshot["_note"] == expected_name


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00 this is a program", "rapport.pdf"),
        (b"<html><script>alert(1)</script></html>", "image.png"),
        (office("zip"), "tableau.xlsx"),
        (b"PK\x03\x04 not really a zip", "doc.docx"),
        (b"", "vide.pdf"),
    ],
)
def test_a_wrong_or_empty_file_is_refused_beside_the_field_and_nothing_is_kept(
    app: Flask,
    author,
    content: bytes,
    name: str,  # type: ignore[no-untyped-def]
) -> None:
    _campaign, _agent, proposal, client = author
    before = counts()
    response = upload(client, proposal.id, content, name)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page
    assert "n’est pas accepté" in page or "est vide" in page
    assert "fr-upload-group--error" in page
    assert counts() == before
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_no_file_chosen_is_a_message_not_a_crash(app: Flask, author) -> None:  # type: ignore[no-untyped-def]
    _campaign, _agent, proposal, client = author
    response = client.post(
        f"/propositions/{proposal.id}/pieces-jointes", data={"csrf_token": csrf(client)}
    )
    assert response.status_code == 400
    assert "Choisissez un fichier." in response.get_data(as_text=True)


def test_an_oversized_upload_gets_the_french_413_page_and_the_text_is_untouched(
    app: Flask,
    author,  # type: ignore[no-untyped-def]
) -> None:
    _campaign, _agent, proposal, client = author
    app.config["MAX_CONTENT_LENGTH"] = 2000
    before = counts()
    text_before = proposal_row(proposal.id).irritant
    response = upload(client, proposal.id, PDF + b"0" * 5000, "gros.pdf")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Fichier trop volumineux" in page and "Erreur 413" in page
    assert "le texte enregistré est intact" in page
    assert f"/propositions/{proposal.id}/modifier#pieces-jointes" in page
    assert counts() == before
    assert proposal_row(proposal.id).irritant == text_before


def test_the_upload_form_carries_the_size_limit_for_the_browser_check(app: Flask, author) -> None:  # type: ignore[no-untyped-def]
    _campaign, _agent, proposal, client = author
    page = client.get(f"/propositions/{proposal.id}/modifier").get_data(as_text=True)
    assert f'data-max-bytes="{app.config["MAX_CONTENT_LENGTH"]}"' in page
    assert 'enctype="multipart/form-data"' in page
    # The file is sent by a form of its own, never with the proposal's text.
    form_with_text = page.split('id="proposal-form"')[1].split("</form>")[0]
    assert 'type="file"' not in form_with_text


def test_download_is_an_attachment_with_nosniff_for_authors_only(app: Flask, author) -> None:  # type: ignore[no-untyped-def]
    campaign, _agent, proposal, client = author
    upload(client, proposal.id, PDF, "étude.pdf")
    attachment = db.session.scalar(select(Attachment))
    url = f"/propositions/{proposal.id}/pieces-jointes/{attachment.id}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "private" in response.headers["Cache-Control"]

    stranger = client_for(app, make_user("paul@francetravail.fr"))
    assert stranger.get(url).status_code == 404
    # Attachment ids are checked against the proposal in the address.
    other = make_proposal(make_user("zoe@francetravail.fr"), campaign, status="submitted")
    assert client.get(f"/propositions/{other.id}/pieces-jointes/{attachment.id}").status_code == 404

    organiser = make_user("orga@francetravail.fr")
    db.session.add(
        Membership(
            campaign_id=campaign.id, email=organiser.email, user_id=organiser.id, role="organiser"
        )
    )
    db.session.commit()
    assert client_for(app, organiser).get(url).status_code == 200


def test_removing_an_attachment_deletes_the_file(app: Flask, author) -> None:  # type: ignore[no-untyped-def]
    _campaign, _agent, proposal, client = author
    upload(client, proposal.id, PDF, "étude.pdf")
    attachment = db.session.scalar(select(Attachment))
    stored = Path(app.config["UPLOAD_FOLDER"]) / attachment.storage_key[:2] / attachment.storage_key
    assert stored.exists()
    stranger = client_for(app, make_user("paul@francetravail.fr"))
    response = stranger.post(
        f"/propositions/{proposal.id}/pieces-jointes/{attachment.id}/supprimer",
        data={"csrf_token": csrf(stranger)},
    )
    assert response.status_code == 404 and stored.exists()
    response = client.post(
        f"/propositions/{proposal.id}/pieces-jointes/{attachment.id}/supprimer",
        data={"csrf_token": csrf(client)},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Attachment)) is None
    assert not stored.exists()


def test_a_file_missing_on_disk_is_a_404_not_a_500(app: Flask, author) -> None:  # type: ignore[no-untyped-def]
    _campaign, _agent, proposal, client = author
    upload(client, proposal.id, PDF, "étude.pdf")
    attachment = db.session.scalar(select(Attachment))
    (
        Path(app.config["UPLOAD_FOLDER"]) / attachment.storage_key[:2] / attachment.storage_key
    ).unlink()
    assert (
        client.get(f"/propositions/{proposal.id}/pieces-jointes/{attachment.id}").status_code == 404
    )
