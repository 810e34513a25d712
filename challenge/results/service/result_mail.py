"""One result message as its recipient receives it: the template's placeholders filled in."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup, escape

from challenge.access.outcomes import FINAL_OUTCOMES
from challenge.campaigns.models import Campaign
from challenge.notifications.rendering import external_url
from challenge.results import placeholders
from challenge.results.models import ResultTemplate
from challenge.results.queries.recipients import Recipient

_URL = re.compile(r"https?://[^\s<>\"']+")


def _jury_message_text(messages: Sequence[str]) -> str:
    if not messages:
        return ""
    quoted = "\n\n".join(f"« {m} »" for m in messages)
    return _("Le jury vous adresse ce message :") + "\n\n" + quoted


def _link_endpoint() -> str:
    views = current_app.view_functions
    return "proposals.my_proposals" if "proposals.my_proposals" in views else "site.home"


def _html_line(line: str) -> Markup:
    """One line of plain text as HTML: escaped, web addresses clickable."""
    parts, last = [], 0
    for match in _URL.finditer(line):
        parts.append(escape(line[last : match.start()]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(match.group(0)))
        last = match.end()
    parts.append(escape(line[last:]))
    return Markup("").join(parts)


def html_paragraphs(text: str) -> list[Markup]:
    """Plain text as HTML paragraphs: escaped, line breaks kept, web addresses clickable."""
    return [
        Markup("<br>").join(_html_line(line) for line in block.split("\n"))
        for block in re.split(r"\n\s*\n", text)
    ]


def mail_context(
    campaign: Campaign,
    template: ResultTemplate,
    recipient: Recipient,
    jury_messages: Sequence[str],
) -> dict[str, object]:
    """The context of templates/mail/result_message.html for one recipient."""
    values = {
        placeholders.FIRST_NAME: recipient.author.first_name,
        placeholders.LAST_NAME: recipient.author.last_name,
        placeholders.TITLE: recipient.title,
        placeholders.CAMPAIGN: campaign.title,
        placeholders.JURY_MESSAGE: _jury_message_text(jury_messages),
        placeholders.LINK: external_url(_link_endpoint()),
    }
    values[placeholders.NEXT_STEPS] = placeholders.render(template.next_steps, values)
    body = placeholders.render(template.body, values)
    consent_link = None
    if recipient.outcome in FINAL_OUTCOMES:
        consent_link = external_url("results.name_consent", proposal_id=recipient.proposal_id)
    return {
        "subject": placeholders.render(template.subject, values),
        "body": body,
        "paragraphs": html_paragraphs(body),
        "consent_link": consent_link,
        "campaign_title": campaign.title,
    }
