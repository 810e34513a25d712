"""Attachment storage: the type is read from the content, never from the name or the browser."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from challenge.proposals import storage


def zip_bytes(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


SAMPLES = {
    "pdf": (b"%PDF-1.7\n...", storage.PDF),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", storage.PNG),
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", storage.JPEG),
    "gif87": (b"GIF87a\x01\x00\x01\x00", storage.GIF),
    "gif89": (b"GIF89a\x01\x00\x01\x00", storage.GIF),
    "webp": (b"RIFF\x24\x00\x00\x00WEBPVP8 ", storage.WEBP),
    "docx": (
        zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}),
        storage.DOCX,
    ),
    "xlsx": (
        zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<x/>"}),
        storage.XLSX,
    ),
    "pptx": (
        zip_bytes({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"}),
        storage.PPTX,
    ),
    "odt": (zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text"}), storage.ODT),
    "ods": (zip_bytes({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}), storage.ODS),
    "odp": (
        zip_bytes({"mimetype": "application/vnd.oasis.opendocument.presentation"}),
        storage.ODP,
    ),
}

REFUSED = {
    "exe": b"MZ\x90\x00\x03\x00\x00\x00",
    "html": b"<!doctype html><script>alert(1)</script>",
    "svg": b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    "plain zip": zip_bytes({"a.txt": "a"}),
    "content types without office part": zip_bytes({"[Content_Types].xml": "<Types/>", "x/y": "z"}),
    "odf with another mimetype": zip_bytes({"mimetype": "application/epub+zip"}),
    "odf with a huge mimetype": zip_bytes({"mimetype": "a" * 500}),
    "broken zip": b"PK\x03\x04garbage",
    "riff but wav": b"RIFF\x24\x00\x00\x00WAVEfmt ",
    "ole (legacy .doc, may carry macros)": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32,
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_accepted_types_are_recognised_from_their_content(tmp_path: Path, name: str) -> None:
    content, expected = SAMPLES[name]
    stored = storage.store(io.BytesIO(content), tmp_path)
    assert stored.file_type is expected
    assert stored.size == len(content)
    assert (tmp_path / stored.key[:2] / stored.key).read_bytes() == content


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_other_content_is_refused_and_nothing_is_left_on_disk(tmp_path: Path, name: str) -> None:
    with pytest.raises(storage.UnsupportedType):
        storage.store(io.BytesIO(REFUSED[name]), tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(storage.EmptyFile):
        storage.store(io.BytesIO(b""), tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_keys_are_random_and_checked(tmp_path: Path) -> None:
    keys = {storage.store(io.BytesIO(b"%PDF-1"), tmp_path).key for _ in range(20)}
    assert len(keys) == 20 and all(len(k) == 32 for k in keys)
    for bad in ("../../etc/passwd", "g" * 32, "", "0" * 31, "A" * 32):
        with pytest.raises(ValueError):
            storage.path_of(tmp_path, bad)
    storage.delete(tmp_path, "../../etc/passwd")  # ignored, never outside the folder


def test_sha256_is_of_the_content(tmp_path: Path) -> None:
    import hashlib

    content = b"%PDF-1.4 " + b"x" * 200_000
    assert (
        storage.store(io.BytesIO(content), tmp_path).sha256 == hashlib.sha256(content).hexdigest()
    )


@pytest.mark.parametrize(
    ("name", "file_type", "expected"),
    [
        ("rapport.pdf", storage.PDF, "rapport.pdf"),
        ("Rapport final.PDF", storage.PDF, "Rapport final.PDF"),
        ("photo.jpeg", storage.JPEG, "photo.jpeg"),
        ("photo.jpg", storage.JPEG, "photo.jpg"),
        ("virus.exe", storage.PDF, "virus.exe.pdf"),
        ("sans extension", storage.PNG, "sans extension.png"),
        ("C:\\Users\\anne\\note.docx", storage.DOCX, "note.docx"),
        ("../../../etc/passwd", storage.PDF, "passwd.pdf"),
        ('a"b\r\nX-Evil: 1.pdf', storage.PDF, "a_b_X-Evil_ 1.pdf"),
        ("dossier/sous-dossier/note.pdf", storage.PDF, "note.pdf"),
        ("", storage.PDF, "piece-jointe.pdf"),
        ("...", storage.PDF, "piece-jointe.pdf"),
        ("é" * 300 + ".pdf", storage.PDF, "é" * 196 + ".pdf"),
    ],
)
def test_safe_filename(name: str, file_type: storage.FileType, expected: str) -> None:
    assert storage.safe_filename(name, file_type) == expected
