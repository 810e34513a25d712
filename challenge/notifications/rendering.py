"""Render an e-mail from its Jinja template: one file per kind with subject, text and html blocks."""

from __future__ import annotations

import html as html_module
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, render_template_string
from flask_babel import force_locale


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def render_mail(kind: str, context: dict[str, object], locale: str = "fr") -> RenderedMail:
    """Render ``templates/mail/<kind>.html``'s blocks ``subject``, ``text`` and ``html``."""
    env = current_app.jinja_env
    template = env.get_template(f"mail/{kind}.html")
    with force_locale(locale):
        full = dict(context)
        current_app.update_template_context(full)
        ctx = template.new_context(full)
        # Mail templates are .html (autoescaped); the subject and text parts are plain text, so
        # the escaping Jinja added there is undone.
        parts = {
            name: html_module.unescape("".join(template.blocks[name](ctx)).strip())
            for name in ("subject", "text")
        }
        html = "".join(template.blocks["html"](ctx)).strip()
        html_page = render_template_string(
            '{% extends "mail/_layout.html" %}{% block body %}{{ body|safe }}{% endblock %}',
            body=html,
            subject=parts["subject"],
        )
    return RenderedMail(
        subject=" ".join(parts["subject"].split()), text=parts["text"], html=html_page
    )


def external_url(endpoint: str, **values: object) -> str:
    """An absolute link for e-mails, built from PUBLIC_URL (works in the worker too)."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
