"""Read the e-mails the embedded default writes to disk (for /dev/mail): no Flask here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path


@dataclass(frozen=True)
class StoredMail:
    name: str
    to: str
    subject: str
    date: datetime | None
    text: str
    html: str


def read_mail(path: Path) -> StoredMail:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    date = message["Date"]
    return StoredMail(
        name=path.stem,
        to=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        date=parsedate_to_datetime(date) if date else None,
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else "",
    )


def list_mail(folder: Path, limit: int = 200) -> list[StoredMail]:
    """The newest messages first."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [read_mail(p) for p in files[:limit]]


def find_mail(folder: Path, name: str) -> StoredMail | None:
    path = folder / f"{name}.eml"
    if "/" in name or name.startswith(".") or not path.is_file():
        return None
    return read_mail(path)
