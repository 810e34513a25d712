"""How a built e-mail leaves the platform: SMTP in production, files in the embedded default."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit


class DeliveryError(Exception):
    """The message could not be handed over; it will be retried."""


def send(message: EmailMessage, smtp_url: str | None, mail_folder: str) -> None:
    if smtp_url:
        send_smtp(message, smtp_url)
    else:
        write_file(message, Path(mail_folder))


def write_file(message: EmailMessage, folder: Path) -> Path:
    """Write the message as an .eml file named after its Message-ID (rewriting it is harmless)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").replace("@", "_at_").replace("/", "_")
    path = folder / f"{name}.eml"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(message))
    tmp.replace(path)
    return path


def send_smtp(message: EmailMessage, smtp_url: str, timeout: float = 20.0) -> None:
    """Send through ``smtp://``, ``smtp+starttls://`` or ``smtps://`` with optional login.

    Example: ``smtp+starttls://user:password@smtp.example.org:587``.
    """
    url = urlsplit(smtp_url)
    host = url.hostname or "localhost"
    try:
        if url.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, url.port or 465, timeout=timeout, context=ssl.create_default_context()
            )
        elif url.scheme in ("smtp", "smtp+starttls"):
            client = smtplib.SMTP(host, url.port or 25, timeout=timeout)
        else:
            raise DeliveryError(f"unsupported SMTP_URL scheme {url.scheme!r}")
        with client:
            if url.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}") from error
