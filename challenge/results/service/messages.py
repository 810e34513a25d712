"""The result messages: the campaign's four templates, their preview, the bulk send, and one
more try of a message (a result or a convocation) that failed for good.

Sending again queues only the messages not queued yet (dedup key per campaign, proposal and
recipient); once one is queued, the decision is final.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from challenge.access.campaigns import campaign_for_organiser
from challenge.access.outcomes import OUTCOME_LABELS, jury_messages
from challenge.accounts.models import User
from challenge.campaigns.models import Campaign
from challenge.errors import ConcurrentChange, NotFound, Refused
from challenge.extensions import db
from challenge.notifications import service as outbox
from challenge.notifications.models import MessageStatus, OutboxMessage
from challenge.notifications.rendering import RenderedMail, render_mail
from challenge.results import placeholders
from challenge.results.models import ResultTemplate
from challenge.results.queries.messages import MessagesPage, build_messages_page
from challenge.results.queries.outbox import KIND_RESULT, RESENDABLE_KINDS, existing_keys
from challenge.results.queries.phases import send_refusal, template_refusal
from challenge.results.queries.recipients import OUTCOME_ORDER, Recipient, recipients
from challenge.results.service.checks import nothing_saved
from challenge.results.service.default_messages import default_templates
from challenge.results.service.result_mail import mail_context
from challenge.timeutils import utcnow
from challenge.unit_of_work import unit_of_work

SUBJECT_MAX = 300
BODY_MAX = 10000
NEXT_STEPS_MAX = 3000


@dataclass(frozen=True)
class TemplateInput:
    subject: str
    body: str
    next_steps: str = ""


@dataclass(frozen=True)
class SendReport:
    queued: int
    already: int


def ensure_templates(campaign: Campaign, user: User | None) -> dict[str, ResultTemplate]:
    """The campaign's four templates, creating the missing ones with the default texts."""
    existing = {
        t.outcome: t
        for t in db.session.scalars(
            select(ResultTemplate).where(ResultTemplate.campaign_id == campaign.id)
        )
    }
    missing = [o for o in OUTCOME_ORDER if o not in existing]
    if not missing:
        return existing
    defaults = default_templates()
    try:
        with unit_of_work(actor=user, campaign_id=campaign.id) as work:
            for outcome in missing:
                subject, body, next_steps = defaults[outcome]
                existing[outcome] = ResultTemplate(
                    campaign_id=campaign.id,
                    outcome=outcome,
                    subject=subject,
                    body=body,
                    next_steps=next_steps,
                    updated_by_id=user.id if user else None,
                )
                db.session.add(existing[outcome])
            work.audit("results.templates_created", target=campaign, details={"outcomes": missing})
    except ConcurrentChange:
        # Another organiser opened the page at the same moment: theirs are kept.
        return ensure_templates(campaign, user)
    return existing


def messages_page(user: User, campaign_id: int) -> MessagesPage:
    """The messages page; opening it first creates the templates still missing."""
    campaign = campaign_for_organiser(user, campaign_id)
    return build_messages_page(campaign, ensure_templates(campaign, user))


def _placeholder_errors(text: str) -> str | None:
    bad = placeholders.unknown(text)
    if not bad:
        return None
    return _(
        "Espace réservé inconnu : %(names)s. Utilisez ceux de la liste, par exemple {prenom}, "
        "ou doublez les accolades ({{ }}) pour écrire une accolade.",
        names=", ".join("{" + name + "}" for name in bad),
    )


def _checked_template(data: TemplateInput) -> tuple[str, str, str]:
    """Subject, body and next steps, cleaned; Invalid with a message beside each bad field."""
    subject = " ".join((data.subject or "").split())
    body = (data.body or "").replace("\r\n", "\n").strip()
    next_steps = (data.next_steps or "").replace("\r\n", "\n").strip()
    errors: dict[str, str] = {}
    for field, value, limit in (
        ("subject", subject, SUBJECT_MAX),
        ("body", body, BODY_MAX),
        ("next_steps", next_steps, NEXT_STEPS_MAX),
    ):
        problem = (
            _("%(max)s caractères au plus.", max=limit)
            if len(value) > limit
            else _placeholder_errors(value)
        )
        if problem:
            errors[field] = problem
    if not subject:
        errors["subject"] = _("Donnez un objet au message.")
    if not body:
        errors["body"] = _("Écrivez le texte du message.")
    if placeholders.NEXT_STEPS in placeholders.used(next_steps):
        errors["next_steps"] = _("Les prochaines étapes ne peuvent pas s’inclure elles-mêmes.")
    if errors:
        raise nothing_saved(errors)
    return subject, body, next_steps


def save_template(
    user: User, campaign_id: int, outcome: str, data: TemplateInput
) -> ResultTemplate:
    campaign = campaign_for_organiser(user, campaign_id, lock=True)
    if outcome not in OUTCOME_ORDER:
        raise NotFound
    refusal = template_refusal(campaign)
    if refusal:
        raise Refused(refusal)
    texts = _checked_template(data)
    template = ensure_templates(campaign, user)[outcome]
    if (template.subject, template.body, template.next_steps) == texts:
        return template
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        template.subject, template.body, template.next_steps = texts
        template.updated_by_id = user.id
        template.updated_at = utcnow()
        subject, body, next_steps = texts
        work.audit(
            "results.template_updated",
            target=template,
            details={
                "outcome": outcome,
                "subject": subject,
                "body": body,
                "next_steps": next_steps,
            },
        )
    return template


def preview(user: User, campaign_id: int, recipient_key: str) -> tuple[Recipient, RenderedMail]:
    """The message one chosen recipient would receive, rendered as it will be sent."""
    campaign = campaign_for_organiser(user, campaign_id)
    templates = ensure_templates(campaign, user)
    recipient = next((r for r in recipients(campaign.id) if r.key == recipient_key), None)
    if recipient is None:
        raise NotFound
    messages = jury_messages([recipient.proposal_id]).get(recipient.proposal_id, [])
    context = mail_context(campaign, templates[recipient.outcome], recipient, messages)
    return recipient, render_mail(KIND_RESULT, context, user.locale or "fr")


def _check_placeholders(templates: Mapping[str, ResultTemplate]) -> None:
    for outcome, template in templates.items():
        if placeholders.unknown(template.subject + template.body + template.next_steps):
            raise Refused(
                _(
                    "Le modèle « %(outcome)s » contient un espace réservé inconnu : corrigez-le "
                    "avant l’envoi.",
                    outcome=OUTCOME_LABELS[outcome],
                )
            )


def send_results(user: User, campaign_id: int) -> SendReport:
    """Queue one message per author of every decided proposal. Sending again queues only the
    messages not queued yet (dedup key per campaign, proposal and recipient)."""
    campaign = campaign_for_organiser(user, campaign_id, lock=True)
    everyone = recipients(campaign.id)
    refusal = send_refusal(campaign, len(everyone))
    if refusal:
        raise Refused(refusal)
    templates = ensure_templates(campaign, user)
    _check_placeholders(templates)
    existing = existing_keys(campaign.id, KIND_RESULT)
    todo = [r for r in everyone if r.dedup_key not in existing]
    messages = jury_messages({r.proposal_id for r in todo})
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        for recipient in todo:
            context = mail_context(
                campaign,
                templates[recipient.outcome],
                recipient,
                messages.get(recipient.proposal_id, []),
            )
            work.mail(
                KIND_RESULT,
                to=recipient.author.email,
                context=context,
                user_id=recipient.author.user_id,
                dedup_key=recipient.dedup_key,
            )
        work.audit(
            "results.messages_sent",
            target=campaign,
            details={"queued": len(todo), "already": len(everyone) - len(todo)},
        )
    return SendReport(len(todo), len(everyone) - len(todo))


def resend(user: User, campaign_id: int, message_id: int) -> OutboxMessage:
    """One more try of a convocation or result message that failed for good (organisers of its
    campaign), through the outbox's ``requeue`` like the admin's retry."""
    campaign = campaign_for_organiser(user, campaign_id, lock=True)
    message = db.session.get(OutboxMessage, message_id)
    if (
        message is None
        or message.campaign_id != campaign.id
        or message.kind not in RESENDABLE_KINDS
    ):
        raise NotFound
    if message.status != MessageStatus.FAILED.value:
        raise Refused(_("Ce message n’est pas en échec : il n’y a rien à renvoyer."))
    with unit_of_work(actor=user, campaign_id=campaign.id) as work:
        outbox.requeue(message)
        work.audit("results.message_resent", target=message)
    return message
