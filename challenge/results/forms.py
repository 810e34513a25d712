"""Forms of the results domain (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from challenge.results.service.convocations import NOTE_MAX
from challenge.results.service.messages import BODY_MAX, NEXT_STEPS_MAX, SUBJECT_MAX
from challenge.results.service.slot_input import LOCATION_MAX, VIDEO_LINK_MAX


class _DayField(DateField):
    """A date typed in the browser's date picker, with a French message when it is not one."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Indiquez une date valide, au format JJ/MM/AAAA.")) from error


class _TimeField(TimeField):
    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Indiquez une heure valide, au format HH:MM.")) from error


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


def _required(message: str) -> InputRequired:
    return InputRequired(message=message)


class SlotGeneratorForm(FlaskForm):
    day = _DayField(
        _l("Jour des pitchs"),
        validators=[_required(_l("Indiquez la date du pitch, au format JJ/MM/AAAA."))],
        description=_l("Heure de Paris."),
    )
    start = _TimeField(
        _l("Heure du premier créneau"),
        validators=[_required(_l("Indiquez l’heure de début, au format HH:MM."))],
        description=_l("Format HH:MM, heure de Paris."),
    )
    count = IntegerField(
        _l("Nombre de créneaux"),
        validators=[
            _required(_l("Indiquez un nombre de créneaux.")),
            NumberRange(1, 100, _l("Entre 1 et 100 créneaux.")),
        ],
        default=10,
    )
    duration = IntegerField(
        _l("Durée d’un créneau (minutes)"),
        validators=[
            _required(_l("Indiquez la durée en minutes.")),
            NumberRange(1, 240, _l("Entre 1 et 240 minutes.")),
        ],
        default=15,
        description=_l("Le pitch (3 minutes) et les questions du jury."),
    )
    gap = IntegerField(
        _l("Battement entre deux créneaux (minutes)"),
        validators=[Optional(), NumberRange(0, 120, _l("Entre 0 et 120 minutes."))],
        default=5,
    )
    break_every = IntegerField(
        _l("Une pause tous les … créneaux"),
        validators=[Optional(), NumberRange(0, 100, _l("Entre 0 et 100."))],
        default=0,
        description=_l("0 : pas de pause."),
    )
    break_minutes = IntegerField(
        _l("Durée de la pause (minutes)"),
        validators=[Optional(), NumberRange(0, 240, _l("Entre 0 et 240 minutes."))],
        default=15,
    )
    location = StringField(
        _l("Lieu"),
        description=_l("Adresse et salle. Laissez vide pour un pitch en visioconférence seule."),
        render_kw={"maxlength": LOCATION_MAX},
    )
    video_link = StringField(
        _l("Lien de visioconférence"),
        description=_l("Facultatif si un lieu est indiqué. Adresse complète en https://"),
        render_kw={"maxlength": VIDEO_LINK_MAX},
    )


class SlotForm(FlaskForm):
    day = _DayField(
        _l("Jour"),
        validators=[_required(_l("Indiquez la date du pitch, au format JJ/MM/AAAA."))],
        description=_l("Heure de Paris."),
    )
    start = _TimeField(
        _l("Heure de début"),
        validators=[_required(_l("Indiquez l’heure de début, au format HH:MM."))],
        description=_l("Format HH:MM, heure de Paris."),
    )
    duration = IntegerField(
        _l("Durée (minutes)"),
        validators=[
            _required(_l("Indiquez la durée en minutes.")),
            NumberRange(1, 240, _l("Entre 1 et 240 minutes.")),
        ],
        default=15,
    )
    location = StringField(_l("Lieu"), render_kw={"maxlength": LOCATION_MAX})
    video_link = StringField(
        _l("Lien de visioconférence"),
        description=_l("Adresse complète en https://"),
        render_kw={"maxlength": VIDEO_LINK_MAX},
    )


class MoveForm(FlaskForm):
    proposal_id = SelectField(
        _l("Proposition"),
        coerce=int,
        validators=[_required(_l("Choisissez une proposition."))],
        validate_choice=False,
    )
    slot_id = SelectField(
        _l("Vers le créneau"),
        coerce=int,
        validators=[_required(_l("Choisissez un créneau."))],
        description=_l("Si le créneau est occupé, les deux propositions échangent leur place."),
        validate_choice=False,
    )


class AnswerForm(FlaskForm):
    choice = RadioField(
        _l("Votre réponse"),
        choices=[
            SelectChoice("confirm", _l("Je confirme ma présence à ce créneau")),
            SelectChoice("change", _l("Je ne suis pas disponible : je demande un autre créneau")),
        ],
        validators=[_required(_l("Choisissez une réponse."))],
    )
    note = TextAreaField(
        _l("Vos disponibilités ou un message pour les organisateurs"),
        description=_l("Obligatoire si vous demandez un autre créneau."),
        render_kw={"maxlength": NOTE_MAX, "rows": 3},
    )


class TemplateForm(FlaskForm):
    outcome = HiddenField()
    subject = StringField(
        _l("Objet"),
        validators=[_required(_l("Donnez un objet au message."))],
        render_kw={"maxlength": SUBJECT_MAX},
    )
    body = TextAreaField(
        _l("Texte du message"),
        validators=[_required(_l("Écrivez le texte du message."))],
        render_kw={"rows": 14, "maxlength": BODY_MAX},
    )
    next_steps = TextAreaField(
        _l("Prochaines étapes"),
        description=_l("Ce que devient {prochaines_etapes} dans ces messages."),
        render_kw={"rows": 4, "maxlength": NEXT_STEPS_MAX},
    )


class ConsentForm(FlaskForm):
    consent = RadioField(
        _l("Publication de votre nom sur la page des lauréats"),
        choices=[
            SelectChoice("yes", _l("J’accepte que mon nom soit publié avec ma proposition")),
            SelectChoice("no", _l("Je ne souhaite pas que mon nom soit publié")),
        ],
        validators=[_required(_l("Choisissez une réponse."))],
    )
