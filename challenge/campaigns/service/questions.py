"""The extra questions of the proposal form: added, edited, removed and reordered together."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from challenge.accounts.models import User
from challenge.campaigns.models import Campaign, CampaignStatus, ProposalQuestion, QuestionKind
from challenge.campaigns.service.ordering import typed_order
from challenge.campaigns.service.versioned import ensure_editable, keep_written_changes
from challenge.campaigns.texts import _
from challenge.errors import Invalid, NotFound, Refused
from challenge.extensions import db
from challenge.unit_of_work import unit_of_work

MAX_QUESTIONS = 50
MAX_CHOICES = 50
MAX_QUESTION_LENGTH = 20000
EDITABLE_QUESTION_STATUSES = (CampaignStatus.DRAFT.value, CampaignStatus.OPEN.value)
TEXT_KINDS = (QuestionKind.SHORT_TEXT.value, QuestionKind.LONG_TEXT.value)


@dataclass(frozen=True)
class QuestionInput:
    id: int | None
    label: str
    kind: str
    help_text: str = ""
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    position: int | None = None
    remove: bool = False


def save_questions(
    campaign: Campaign,
    questions: list[QuestionInput],
    actor: User,
    *,
    expected_version: int | None = None,
) -> dict[str, object]:
    """Replace the extra questions of the proposal form (add, edit, remove, reorder)."""
    ensure_editable(campaign, actor)
    if campaign.status not in EDITABLE_QUESTION_STATUSES:
        raise Refused(_("Le dépôt est clos : les questions du formulaire ne peuvent plus changer."))
    existing = {q.id: q for q in campaign.questions}
    errors: dict[str, list[str]] = defaultdict(list)
    kept: list[tuple[int, QuestionInput, dict]] = []
    for index, q in enumerate(questions):
        if q.id is not None and q.id not in existing:
            raise NotFound
        if not q.remove:
            kept.append((index, q, _clean_question(index, q, errors)))
    if len(kept) > MAX_QUESTIONS:
        errors[""].append(_("Le formulaire peut compter au plus 50 questions."))
    if any(errors.values()):
        raise Invalid({name: messages for name, messages in errors.items() if messages})

    with unit_of_work(actor=actor, campaign_id=campaign.id) as work:
        before = {q.id: _question_snapshot(q) for q in existing.values()}
        _write_questions(campaign, existing, kept)
        after = {q.id: _question_snapshot(q) for q in campaign.questions}
        return keep_written_changes(
            work, campaign, before, after, "campaign.questions_updated", expected_version
        )


def _write_questions(
    campaign: Campaign,
    existing: dict[int, ProposalQuestion],
    kept: list[tuple[int, QuestionInput, dict]],
) -> None:
    kept_ids = {q.id for _i, q, _v in kept if q.id is not None}
    for question_id, question in existing.items():
        if question_id not in kept_ids:
            db.session.delete(question)
    for position, (_index, q, values) in enumerate(typed_order(kept)):
        question = existing.get(q.id) if q.id is not None else None
        if question is None:
            question = ProposalQuestion(campaign_id=campaign.id)
            db.session.add(question)
        question.position = position
        for name, value in values.items():
            setattr(question, name, value)
    db.session.flush()
    db.session.expire(campaign, ["questions"])


def _question_snapshot(q: ProposalQuestion) -> dict[str, object]:
    return {
        "position": q.position,
        "label": q.label,
        "help_text": q.help_text,
        "kind": q.kind,
        "required": q.required,
        "max_length": q.max_length,
        "choices": list(q.choices or []),
    }


def _clean_question(index: int, q: QuestionInput, errors: dict[str, list[str]]) -> dict:
    prefix = f"questions.{index}."
    label = q.label.strip()
    if not label:
        errors[prefix + "label"].append(_("Saisissez l’intitulé de la question."))
    elif len(label) > 300:
        errors[prefix + "label"].append(_("L’intitulé ne doit pas dépasser 300 caractères."))
    if len(q.help_text) > 2000:
        errors[prefix + "help_text"].append(_("L’aide ne doit pas dépasser 2 000 caractères."))
    if q.kind not in {k.value for k in QuestionKind}:
        errors[prefix + "kind"].append(_("Choisissez le type de réponse."))
    max_length = q.max_length if q.kind in TEXT_KINDS else None
    if max_length is not None and not 1 <= max_length <= MAX_QUESTION_LENGTH:
        errors[prefix + "max_length"].append(
            _("Indiquez une longueur entre 1 et 20 000 caractères, ou laissez vide.")
        )
    choices = _clean_choices(q, errors[prefix + "choices"])
    return {
        "label": label,
        "help_text": q.help_text.strip(),
        "kind": q.kind,
        "required": bool(q.required),
        "max_length": max_length,
        "choices": choices,
    }


def _clean_choices(q: QuestionInput, errors: list[str]) -> list[str]:
    if q.kind != QuestionKind.SINGLE_CHOICE.value:
        return []
    choices: list[str] = []
    for choice in q.choices:
        choice = choice.strip()
        if choice and choice not in choices:
            choices.append(choice)
    if len(choices) < 2:
        errors.append(_("Proposez au moins deux choix, un par ligne."))
    elif len(choices) > MAX_CHOICES or any(len(c) > 200 for c in choices):
        errors.append(_("Proposez au plus 50 choix de 200 caractères au plus chacun."))
    return choices
