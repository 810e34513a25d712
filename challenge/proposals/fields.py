"""A proposal's fields: names, labels, cleaning and validation, snapshots and their differences.

Shared by the writes (what is saved and what is still missing to send it), the reads (the
history's labels and values) and the forms (the limits and the answers' choices).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from challenge.campaigns.models import ProposalQuestion
from challenge.errors import Invalid
from challenge.proposals.models import MAX_LENGTHS, Proposal

TEXT_FIELDS = (
    "title",
    "irritant",
    "workaround",
    "solution",
    "impact",
    "first_users",
    "administration",
    "service",
    "region",
)
BOOL_FIELDS = ("commitment_released", "commitment_manager_informed")
CONTENT_FIELDS = TEXT_FIELDS + BOOL_FIELDS
REQUIRED_TO_SUBMIT = ("title", "irritant", "solution", "impact", "administration") + BOOL_FIELDS

FIELD_LABELS = {
    "title": _l("Titre"),
    "irritant": _l("L’irritant"),
    "workaround": _l("Comment on fait aujourd’hui"),
    "solution": _l("L’idée de solution"),
    "impact": _l("L’impact attendu et sa mesure"),
    "first_users": _l("Premiers utilisateurs et partenaires"),
    "administration": _l("Administration"),
    "service": _l("Service ou direction"),
    "region": _l("Région"),
    "commitment_released": _l("Disponible six mois"),
    "commitment_manager_informed": _l("Responsable informé"),
    "attachments": _l("Pièces jointes"),
    "authors": _l("Co-auteurs"),
    "status": _l("Statut"),
}
MISSING_MESSAGES = {
    "title": _l("Donnez un titre à votre proposition."),
    "irritant": _l("Décrivez l’irritant : c’est le cœur de votre proposition."),
    "solution": _l("Décrivez votre idée de solution, même à grands traits."),
    "impact": _l("Dites ce qui changerait et comment on pourrait le mesurer."),
    "administration": _l("Indiquez votre administration."),
    "commitment_released": _l(
        "Pour envoyer votre proposition, vous devez être prêt à y consacrer six mois."
    ),
    "commitment_manager_informed": _l(
        "Pour envoyer votre proposition, votre responsable doit en être informé."
    ),
}
DEFAULT_SHORT_ANSWER = 300
DEFAULT_LONG_ANSWER = 4000
YES, NO = "yes", "no"


@dataclass
class ProposalInput:
    """What an author typed. ``answers`` maps str(question id) to a text, a choice or yes/no."""

    title: str = ""
    irritant: str = ""
    workaround: str = ""
    solution: str = ""
    impact: str = ""
    first_users: str = ""
    administration: str = ""
    service: str = ""
    region: str = ""
    commitment_released: bool = False
    commitment_manager_informed: bool = False
    answers: dict[str, str] = field(default_factory=dict)

    def values(self) -> dict[str, object]:
        data: dict[str, object] = {name: getattr(self, name) for name in CONTENT_FIELDS}
        data["answers"] = dict(self.answers)
        return data


def clean_text(value: str | None, *, single_line: bool = False) -> str:
    """Strip, unify line ends (a browser counts \\r\\n as one character), drop control bytes."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if ch in "\n\t" or ch >= " " and ch != "\x7f")
    if single_line:
        value = " ".join(value.split())
    return value.strip()


def question_key(question: ProposalQuestion) -> str:
    return str(question.id)


def answer_max_length(question: ProposalQuestion) -> int:
    if question.max_length:
        return question.max_length
    return DEFAULT_LONG_ANSWER if question.kind == "long_text" else DEFAULT_SHORT_ANSWER


def validate(data: ProposalInput, questions: Sequence[ProposalQuestion]) -> ProposalInput:
    """Clean the input and check lengths and choices; raise Invalid with one message per field."""
    errors: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = clean_text(getattr(data, name), single_line=name in ("title", "administration"))
        setattr(data, name, value)
        limit = MAX_LENGTHS[name]
        if len(value) > limit:
            errors[name] = str(
                _l(
                    "Ce texte fait %(length)s caractères : %(limit)s au maximum.",
                    length=len(value),
                    limit=limit,
                )
            )
    data.commitment_released = bool(data.commitment_released)
    data.commitment_manager_informed = bool(data.commitment_manager_informed)
    answers: dict[str, str] = {}
    for question in questions:
        key = question_key(question)
        value = clean_text(
            str(data.answers.get(key) or ""), single_line=question.kind == "short_text"
        )
        if question.kind in ("short_text", "long_text"):
            limit = answer_max_length(question)
            if len(value) > limit:
                errors[f"question_{key}"] = str(
                    _l(
                        "Ce texte fait %(length)s caractères : %(limit)s au maximum.",
                        length=len(value),
                        limit=limit,
                    )
                )
        elif question.kind == "single_choice":
            if value and value not in [str(c) for c in question.choices or []]:
                errors[f"question_{key}"] = str(_l("Choisissez une des réponses proposées."))
        elif question.kind == "yes_no" and value not in ("", YES, NO):
            errors[f"question_{key}"] = str(_l("Répondez par oui ou par non."))
        if value:
            answers[key] = value
    data.answers = answers
    if errors:
        raise Invalid(errors)
    return data


def missing_to_submit(
    values: dict[str, object], questions: Sequence[ProposalQuestion]
) -> dict[str, str]:
    """The required fields still empty, with the message to show beside each."""
    errors = {name: str(MISSING_MESSAGES[name]) for name in REQUIRED_TO_SUBMIT if not values[name]}
    answers = values.get("answers") or {}
    for question in questions:
        if question.required and not answers.get(question_key(question)):
            errors[f"question_{question.id}"] = str(_l("Répondez à cette question."))
    return errors


def snapshot(proposal: Proposal) -> dict[str, object]:
    data: dict[str, object] = {name: getattr(proposal, name) for name in CONTENT_FIELDS}
    data["answers"] = dict(proposal.answers or {})
    data["status"] = proposal.status
    return data


def changed_fields(before: dict[str, object], after: dict[str, object]) -> list[str]:
    """Content fields that differ; answers to extra questions as ``question_<id>``."""
    names = [n for n in CONTENT_FIELDS if before.get(n) != after.get(n)]
    old = before.get("answers") or {}
    new = after.get("answers") or {}
    assert isinstance(old, dict) and isinstance(new, dict)
    for key in sorted(set(old) | set(new), key=lambda k: (len(k), k)):
        if (old.get(key) or "") != (new.get(key) or ""):
            names.append(f"question_{key}")
    return names


def field_value(data: dict[str, object], name: str) -> object:
    if name.startswith("question_"):
        answers = data.get("answers") or {}
        assert isinstance(answers, dict)
        return answers.get(name.removeprefix("question_"), "")
    return data.get(name, "")


def field_labels(questions: Sequence[ProposalQuestion]) -> dict[str, str]:
    labels = {name: str(label) for name, label in FIELD_LABELS.items()}
    labels.update({f"question_{q.id}": q.label for q in questions})
    return labels


def display_answer(question: ProposalQuestion, answers: dict[str, str]) -> object:
    value = answers.get(question_key(question), "")
    if question.kind == "yes_no" and value:
        return _l("Oui") if value == YES else _l("Non")
    return value
