"""Forms of the organisers' pages. Syntax here; the rules of the domain live in the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from challenge.campaigns.models import QuestionKind, ScoresVisibility

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATE_HINT = _l("Heure de Paris. Format attendu : jj/mm/aaaa hh:mm")


MIN_YEAR, MAX_YEAR = 2000, 2100


def plausible_year(form: Form, field: Field) -> None:
    """Refuse year 1 or 9999: they cannot even be converted between Paris and UTC."""
    if field.data is not None and not MIN_YEAR <= field.data.year <= MAX_YEAR:
        raise ValidationError(_l("Saisissez une date entre 2000 et 2100."))


def _date_field(label: str, hint: object = DATE_HINT) -> DateTimeLocalField:
    return DateTimeLocalField(
        label,
        format=DATETIME_FORMAT,
        description=hint,
        validators=[Optional(), plausible_year],
    )


class WeightField(StringField):
    """A positive number typed the French way ("1,5") or not ("1.5")."""

    number: float | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.number = None
        raw = (self.data or "").strip().replace(",", ".")
        if not raw:
            return
        try:
            self.number = float(raw)
        except ValueError:
            self.number = None


class CreateCampaignForm(FlaskForm):
    title = StringField(
        _l("Titre de la campagne"),
        description=_l("Par exemple : Y a-t-il un intrapreneur parmi nous ? — édition 2026"),
        validators=[InputRequired(_l("Saisissez le titre de la campagne.")), Length(max=200)],
    )
    administration = StringField(
        _l("Administration"),
        description=_l("L’administration qui lance l’appel, par exemple : France Travail"),
        validators=[Optional(), Length(max=200)],
    )
    slug = StringField(
        _l("Adresse de la page publique (facultatif)"),
        description=_l(
            "Lettres minuscules, chiffres et tirets. Laissez vide pour la déduire du titre."
        ),
        validators=[Optional(), Length(max=80)],
    )
    organiser_emails = TextAreaField(
        _l("Adresses électroniques des organisateurs"),
        description=_l(
            "Une adresse par ligne. Chaque organisateur reçoit une invitation et accède à la "
            "campagne dès sa première connexion."
        ),
        validators=[Optional(), Length(max=20000)],
        render_kw={"rows": 4},
    )


class SettingsForm(FlaskForm):
    version = HiddenField()
    title = StringField(
        _l("Titre de la campagne"),
        validators=[InputRequired(_l("Saisissez le titre de la campagne.")), Length(max=200)],
    )
    slug = StringField(
        _l("Adresse de la page publique"),
        description=_l(
            "Lettres minuscules, chiffres et tirets. Ne peut plus changer une fois la campagne "
            "ouverte."
        ),
        validators=[Optional(), Length(max=80)],
    )
    administration = StringField(_l("Administration"), validators=[Optional(), Length(max=200)])
    call_text = TextAreaField(
        _l("Texte de l’appel"),
        description=_l(
            "En Markdown : **gras**, *italique*, listes avec « - », liens [texte](https://…), "
            "intertitres avec « ## ». Le HTML n’est pas interprété."
        ),
        validators=[Optional(), Length(max=50000)],
        render_kw={"rows": 12},
    )
    allowed_domains = TextAreaField(
        _l("Domaines de messagerie autorisés à proposer"),
        description=_l(
            "Un domaine par ligne, par exemple « francetravail.fr ». Les sous-domaines sont "
            "acceptés aussi."
        ),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 4},
    )
    opens_at = _date_field(_l("Ouverture des dépôts"))
    deadline_at = _date_field(_l("Date limite de dépôt"))
    review_ends_at = _date_field(_l("Fin de l’évaluation par le jury"))
    pitch_at = _date_field(_l("Journée de pitch"))
    results_at = _date_field(_l("Annonce des résultats"))


class InviteForm(FlaskForm):
    emails = TextAreaField(
        _l("Adresses électroniques"),
        description=_l("Une adresse par ligne (ou séparées par des virgules)."),
        validators=[InputRequired(_l("Saisissez au moins une adresse.")), Length(max=20000)],
        render_kw={"rows": 4},
    )


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF only."""


class TransitionForm(FlaskForm):
    target = HiddenField(validators=[InputRequired()])
    source = HiddenField(validators=[InputRequired()])


QUESTION_KINDS = [
    (QuestionKind.SHORT_TEXT.value, _l("Texte court")),
    (QuestionKind.LONG_TEXT.value, _l("Texte long")),
    (QuestionKind.SINGLE_CHOICE.value, _l("Choix unique")),
    (QuestionKind.YES_NO.value, _l("Oui / non")),
]


class SubForm(Form):
    """A row of a list editor, translated like the Flask-WTF form around it."""

    class Meta:
        def get_translations(self, form: Form) -> object:
            return translations


class QuestionForm(SubForm):
    id = HiddenField()
    label = StringField(_l("Intitulé de la question"), validators=[Length(max=300)])
    help_text = TextAreaField(
        _l("Aide (facultatif)"),
        description=_l("Affichée sous l’intitulé pour guider l’agent."),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 2},
    )
    kind = SelectField(_l("Type de réponse"), choices=QUESTION_KINDS)
    required = BooleanField(_l("Réponse obligatoire"))
    max_length = IntegerField(
        _l("Nombre maximal de caractères (facultatif)"),
        description=_l("Pour les réponses en texte seulement."),
        validators=[Optional(), NumberRange(min=1, max=20000)],
    )
    choices = TextAreaField(
        _l("Choix proposés"),
        description=_l("Pour un choix unique : un choix par ligne, au moins deux."),
        validators=[Optional(), Length(max=20000)],
        render_kw={"rows": 3},
    )
    position = IntegerField(
        _l("Ordre"),
        description=_l("Les questions sont affichées dans l’ordre croissant."),
        validators=[Optional(), NumberRange(min=-1000, max=1000)],
    )
    remove = BooleanField(_l("Supprimer cette question"))


class QuestionsForm(FlaskForm):
    version = HiddenField()
    questions = FieldList(FormField(QuestionForm), min_entries=0, max_entries=60)


class CriterionForm(SubForm):
    id = HiddenField()
    label = StringField(_l("Intitulé du critère"), validators=[Length(max=200)])
    description = TextAreaField(
        _l("Description"),
        description=_l("Ce que le juré regarde pour ce critère."),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 2},
    )
    weight = WeightField(
        _l("Poids"),
        description=_l("Un nombre strictement positif, par exemple 1 ou 1,5."),
    )
    levels = TextAreaField(
        _l("Description des niveaux"),
        description=_l("Une ligne par niveau, de la note la plus basse à la plus haute."),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 5},
    )
    position = IntegerField(_l("Ordre"), validators=[Optional(), NumberRange(min=-1000, max=1000)])
    remove = BooleanField(_l("Supprimer ce critère"))


class GridForm(FlaskForm):
    version = HiddenField()
    scale_min = IntegerField(
        _l("Note minimale"),
        validators=[InputRequired(_l("Indiquez la note minimale.")), NumberRange(min=0, max=10)],
    )
    scale_max = IntegerField(
        _l("Note maximale"),
        validators=[InputRequired(_l("Indiquez la note maximale.")), NumberRange(min=1, max=10)],
    )
    criteria = FieldList(FormField(CriterionForm), min_entries=0, max_entries=40)


SCORES_VISIBILITY = [
    (ScoresVisibility.NEVER.value, _l("Jamais : chaque juré ne voit que ses propres notes")),
    (
        ScoresVisibility.AFTER_OWN.value,
        _l("Après avoir rendu sa propre évaluation de la proposition"),
    ),
    (ScoresVisibility.ALWAYS.value, _l("Toujours")),
]


class JurySettingsForm(FlaskForm):
    version = HiddenField()
    reviews_per_proposal = IntegerField(
        _l("Nombre d’évaluations par proposition"),
        description=_l("Entre 1 et 20. Trois évaluations par proposition est un bon équilibre."),
        validators=[
            InputRequired(_l("Indiquez un nombre d’évaluations par proposition.")),
            NumberRange(min=1, max=20, message=_l("Indiquez un nombre entre 1 et 20.")),
        ],
    )
    blind_review = BooleanField(
        _l("Évaluation à l’aveugle"),
        description=_l("Les jurés ne voient ni le nom des auteurs ni leur administration."),
    )
    scores_visibility = RadioField(
        _l("Quand un juré voit-il les notes des autres jurés ?"),
        choices=SCORES_VISIBILITY,
        validators=[InputRequired(_l("Choisissez quand les jurés voient les autres notes."))],
    )
    same_administration_conflict = BooleanField(
        _l("Conflit d’intérêts pour une proposition de sa propre administration"),
        description=_l(
            "Un juré n’évalue pas les propositions venant de la même administration que lui."
        ),
    )
    allow_supports = BooleanField(
        _l("Soutiens « Moi aussi »"),
        description=_l(
            "Les agents peuvent soutenir un irritant déjà signalé plutôt que le proposer de "
            "nouveau."
        ),
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    actor = SelectField(_l("Personne"), choices=[], validate_choice=False)
    start = DateField(_l("Du"), validators=[Optional(), plausible_year])
    end = DateField(_l("Au"), validators=[Optional(), plausible_year])
