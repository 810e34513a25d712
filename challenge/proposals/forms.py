"""Forms of the proposals domain. The service checks everything again: these give the page its
labels, help texts, maximum lengths (for the counters) and errors beside the fields."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import Field
from wtforms.validators import Email, InputRequired, Length

from challenge.accounts.forms import REGIONS
from challenge.campaigns.models import ProposalQuestion
from challenge.proposals.fields import NO, YES, ProposalInput, answer_max_length
from challenge.proposals.models import MAX_LENGTHS, MAX_TESTIMONY_LENGTH


class RequiredToSubmit:
    """Marks a field as needed to send the proposal (a draft may leave it empty).

    Sets the ``required`` flag for the asterisk and the attribute; the form is ``novalidate`` so
    the browser never blocks saving a draft, and the service decides at submission."""

    field_flags = {"required": True}

    def __call__(self, form: FlaskForm, field: Field) -> None:
        return None


def _newlines(value: str | None) -> str | None:
    """A browser counts a line break as one character and sends two (\\r\\n): count as it does."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _length(name: str) -> Length:
    limit = MAX_LENGTHS[name]
    return Length(
        max=limit,
        message=_l("Ce texte est trop long : %(max)d caractères au maximum."),
    )


class ProposalForm(FlaskForm):
    version = HiddenField()
    title = StringField(
        _l("Titre de votre proposition"),
        description=_l(
            "Une phrase courte qui dit le problème, par exemple : « Les demandeurs d’emploi ne "
            "savent pas quelles entreprises recrutent près de chez eux »."
        ),
        validators=[RequiredToSubmit(), _length("title")],
        filters=[_newlines],
    )
    irritant = TextAreaField(
        _l("L’irritant : quel problème voulez-vous résoudre ?"),
        description=_l(
            "Qu’est-ce qui ne va pas aujourd’hui ? Pour qui (des usagers, des agents) ? À quelle "
            "fréquence ? Qu’est-ce que cela leur coûte : du temps, de l’argent, des démarches "
            "abandonnées ? Appuyez-vous sur ce que vous constatez : chiffres, témoignages, "
            "exemples. Décrivez le problème sans parler encore de la solution."
        ),
        validators=[RequiredToSubmit(), _length("irritant")],
        filters=[_newlines],
        render_kw={"rows": 10},
    )
    workaround = TextAreaField(
        _l("Comment fait-on aujourd’hui ?"),
        description=_l(
            "Facultatif. Comment les usagers ou les agents se débrouillent-ils en attendant : "
            "un tableur, des appels, des courriers, rien du tout ? Cela aide le jury à mesurer "
            "le problème."
        ),
        validators=[_length("workaround")],
        filters=[_newlines],
        render_kw={"rows": 5},
    )
    solution = TextAreaField(
        _l("Votre idée de solution"),
        description=_l(
            "Que ferait le service numérique, et pour qui d’abord ? Quelques phrases suffisent : "
            "le jury ne demande ni cahier des charges ni maquette. Ce qui rend votre idée "
            "différente de ce qui existe est bienvenu."
        ),
        validators=[RequiredToSubmit(), _length("solution")],
        filters=[_newlines],
        render_kw={"rows": 8},
    )
    impact = TextAreaField(
        _l("L’impact attendu et comment le mesurer"),
        description=_l(
            "Qu’est-ce qui changerait pour les usagers ou les agents si le service existait ? "
            "Comment saurait-on qu’il marche : quel chiffre regarder (temps gagné, démarches "
            "abouties, appels évités…) ?"
        ),
        validators=[RequiredToSubmit(), _length("impact")],
        filters=[_newlines],
        render_kw={"rows": 6},
    )
    first_users = TextAreaField(
        _l("Les premiers utilisateurs et ceux qui le recommanderaient"),
        description=_l(
            "Facultatif. Qui seraient les premiers à l’utiliser : une agence, un service, un "
            "territoire ? Qui pourrait le recommander ou le prescrire : des conseillers, des "
            "partenaires, des collectivités ?"
        ),
        validators=[_length("first_users")],
        filters=[_newlines],
        render_kw={"rows": 5},
    )
    administration = StringField(
        _l("Votre administration"),
        description=_l("Reprise de votre profil. Par exemple : France Travail, DGFiP, Caf"),
        validators=[RequiredToSubmit(), _length("administration")],
        render_kw={"autocomplete": "organization"},
    )
    service = StringField(
        _l("Votre service ou direction"),
        description=_l("Facultatif. Par exemple : agence de Lyon Part-Dieu"),
        validators=[_length("service")],
    )
    region = SelectField(
        _l("Votre région"),
        description=_l("Facultatif."),
        default="",
        choices=[SelectChoice("", _l("Sélectionnez une région"))]
        + [SelectChoice(r, r) for r in REGIONS],
    )
    commitment_released = BooleanField(
        _l(
            "Si ma proposition est retenue, je peux me consacrer au projet pendant six mois "
            "(au moins deux jours par semaine, idéalement davantage)."
        ),
        validators=[RequiredToSubmit()],
    )
    commitment_manager_informed = BooleanField(
        _l("J’ai informé mon ou ma responsable hiérarchique de ma candidature."),
        validators=[RequiredToSubmit()],
    )

    question_names: list[str] = []

    def to_input(self, questions: Sequence[ProposalQuestion]) -> ProposalInput:
        answers = {}
        for question in questions:
            value = getattr(self, f"question_{question.id}").data
            answers[str(question.id)] = value if isinstance(value, str) else ""
        return ProposalInput(
            title=self.title.data or "",
            irritant=self.irritant.data or "",
            workaround=self.workaround.data or "",
            solution=self.solution.data or "",
            impact=self.impact.data or "",
            first_users=self.first_users.data or "",
            administration=self.administration.data or "",
            service=self.service.data or "",
            region=self.region.data or "",
            commitment_released=bool(self.commitment_released.data),
            commitment_manager_informed=bool(self.commitment_manager_informed.data),
            answers=answers,
        )

    def base_version(self) -> int | None:
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None

    def add_errors(self, errors: dict[str, str]) -> None:
        """Errors found by the service, shown beside their fields."""
        for name, message in errors.items():
            target = getattr(self, name, None)
            if isinstance(target, Field):
                target.errors = [*list(target.errors or []), message]
            else:
                self.form_errors.append(message)

    def questions(self) -> list[Field]:
        return [getattr(self, name) for name in self.question_names]


def _question_field(question: ProposalQuestion) -> Field:
    validators: list[object] = [RequiredToSubmit()] if question.required else []
    description = question.help_text or ""
    if question.kind in ("short_text", "long_text"):
        limit = answer_max_length(question)
        validators.append(
            Length(max=limit, message=_l("Ce texte est trop long : %(max)d caractères au maximum."))
        )
        if question.kind == "short_text":
            return StringField(question.label, description=description, validators=validators)
        return TextAreaField(
            question.label,
            description=description,
            validators=validators,
            filters=[_newlines],
            render_kw={"rows": 5},
        )
    if question.kind == "yes_no":
        choices = [SelectChoice(YES, _l("Oui")), SelectChoice(NO, _l("Non"))]
    else:
        choices = [SelectChoice(str(c), str(c)) for c in question.choices or []]
    # The service checks the choice (an empty answer is fine in a draft).
    return RadioField(
        question.label,
        description=description,
        choices=choices,
        validators=validators,
        validate_choice=False,
    )


def proposal_form(questions: Sequence[ProposalQuestion], **kwargs: object) -> ProposalForm:
    """The proposal form with one more field per extra question of the campaign."""
    attributes: dict[str, object] = {f"question_{q.id}": _question_field(q) for q in questions}
    attributes["question_names"] = [f"question_{q.id}" for q in questions]
    form_class = type("CampaignProposalForm", (ProposalForm,), attributes)
    return form_class(**kwargs)  # type: ignore[no-any-return]


class CoauthorForm(FlaskForm):
    email = EmailField(
        _l("Adresse électronique professionnelle du co-auteur"),
        description=_l(
            "Il ou elle recevra un message et pourra lire et modifier la proposition en se "
            "connectant avec cette adresse."
        ),
        validators=[
            InputRequired(_l("Saisissez l’adresse électronique du co-auteur.")),
            Length(max=254, message=_l("L’adresse ne doit pas dépasser 254 caractères.")),
            Email(
                message=_l(
                    "Saisissez une adresse électronique valide, par exemple "
                    "prenom.nom@administration.gouv.fr."
                ),
                check_deliverability=False,
            ),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"autocomplete": "off"},
    )


class AttachmentForm(FlaskForm):
    file = FileField(
        _l("Ajouter un fichier"),
        validators=[FileRequired(_l("Choisissez un fichier."))],
    )


class SupportForm(FlaskForm):
    testimony = TextAreaField(
        _l("Votre témoignage"),
        description=_l(
            "Facultatif. Ce que vous constatez de votre côté : où, combien de fois, ce que cela "
            "coûte. Le jury le lira ; il ne sera pas publié."
        ),
        validators=[
            Length(
                max=MAX_TESTIMONY_LENGTH,
                message=_l("Ce texte est trop long : %(max)d caractères au maximum."),
            )
        ],
        filters=[_newlines],
        render_kw={"rows": 5},
    )


class ConfirmForm(FlaskForm):
    """A button that changes something: only CSRF to check."""
