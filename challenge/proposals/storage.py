"""Attachments on disk: random keys under UPLOAD_FOLDER, the type read from the content.

Pure file handling, no database. The browser's Content-Type and the file name's extension are
never trusted: the first bytes (and, for office documents, the ZIP's table of contents) decide.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 64 * 1024
# Bytes read to recognise a type; enough for every signature below.
SNIFF_BYTES = 16


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str


PDF = FileType("application/pdf", "pdf", "PDF")
PNG = FileType("image/png", "png", "PNG")
JPEG = FileType("image/jpeg", "jpg", "JPEG")
GIF = FileType("image/gif", "gif", "GIF")
WEBP = FileType("image/webp", "webp", "WebP")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word"
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel"
)
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptx",
    "PowerPoint",
)
ODT = FileType("application/vnd.oasis.opendocument.text", "odt", "OpenDocument texte")
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", "ods", "OpenDocument tableur")
ODP = FileType(
    "application/vnd.oasis.opendocument.presentation", "odp", "OpenDocument présentation"
)

ACCEPTED_TYPES = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, ODT, ODS, ODP)
# For the file input's ``accept`` attribute: a hint to the browser, never a check.
ACCEPT_ATTRIBUTE = ",".join(f".{t.extension}" for t in ACCEPTED_TYPES) + ",.jpeg"

_OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_OPENDOCUMENT = {t.content_type: t for t in (ODT, ODS, ODP)}


class UnsupportedType(Exception):
    """The content is none of the accepted types (whatever its name says)."""


class EmptyFile(Exception):
    pass


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str
    file_type: FileType


def detect_type(path: Path) -> FileType | None:
    """The type of the file at ``path`` from its content, or None when not accepted."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _office_type(path)
    return None


def _office_type(path: Path) -> FileType | None:
    """OOXML has a [Content_Types].xml and a word/, xl/ or ppt/ folder; OpenDocument a mimetype."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 100:
                    return None
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return _OPENDOCUMENT.get(declared)
            if "[Content_Types].xml" in names:
                for prefix, file_type in _OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return file_type
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        return None
    return None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(name: str, file_type: FileType) -> str:
    """A displayable name without path or control characters, ending with the real extension."""
    name = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/")))
    name = _UNSAFE.sub("_", name).strip(" .") or "piece-jointe"
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    known = {file_type.extension, "jpeg"} if file_type is JPEG else {file_type.extension}
    if extension.lower() not in known:
        stem = name
        extension = file_type.extension
    stem = stem[: 199 - len(extension)]  # at most 200 characters in all
    return f"{stem}.{extension}"


def _path_of(folder: Path, key: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", key):
        raise ValueError("invalid storage key")
    return folder / key[:2] / key


def path_of(folder: str | Path, key: str) -> Path:
    return _path_of(Path(folder), key)


def store(stream: BinaryIO, folder: str | Path) -> StoredFile:
    """Copy ``stream`` under a new random key, then check its type; nothing kept if refused."""
    key = secrets.token_hex(16)
    path = _path_of(Path(folder), key)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    temporary = path.with_name(path.name + ".part")
    try:
        with temporary.open("xb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if size == 0:
            raise EmptyFile
        file_type = detect_type(temporary)
        if file_type is None:
            raise UnsupportedType
        temporary.rename(path)
    finally:
        temporary.unlink(missing_ok=True)
    return StoredFile(key=key, size=size, sha256=digest.hexdigest(), file_type=file_type)


def delete(folder: str | Path, key: str) -> None:
    with contextlib.suppress(ValueError):
        _path_of(Path(folder), key).unlink(missing_ok=True)
