"""Forms of sign-in and profile."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional

REGIONS = [
    "Auvergne-Rhône-Alpes",
    "Bourgogne-Franche-Comté",
    "Bretagne",
    "Centre-Val de Loire",
    "Corse",
    "Grand Est",
    "Guadeloupe",
    "Guyane",
    "Hauts-de-France",
    "Île-de-France",
    "La Réunion",
    "Martinique",
    "Mayotte",
    "Normandie",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Pays de la Loire",
    "Provence-Alpes-Côte d'Azur",
    "Services nationaux",
]


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Adresse électronique professionnelle"),
        description=_l("Format attendu : prenom.nom@administration.gouv.fr"),
        validators=[
            InputRequired(_l("Saisissez votre adresse électronique professionnelle.")),
            Length(max=254, message=_l("L’adresse ne doit pas dépasser 254 caractères.")),
            Email(
                message=_l(
                    "Saisissez une adresse électronique valide, par exemple "
                    "prenom.nom@administration.gouv.fr."
                ),
                check_deliverability=False,
            ),
        ],
    )
    next = HiddenField()


class ConfirmLinkForm(FlaskForm):
    """A button press uses the link: mail scanners that open links do not sign anyone in."""


class ProfileForm(FlaskForm):
    first_name = StringField(
        _l("Prénom"),
        validators=[InputRequired(_l("Saisissez votre prénom.")), Length(max=100)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Nom"),
        validators=[InputRequired(_l("Saisissez votre nom.")), Length(max=100)],
        render_kw={"autocomplete": "family-name"},
    )
    administration = StringField(
        _l("Administration"),
        description=_l("Par exemple : France Travail, DGFiP, Caisse d’allocations familiales"),
        validators=[InputRequired(_l("Indiquez votre administration.")), Length(max=200)],
        render_kw={"autocomplete": "organization"},
    )
    service = StringField(
        _l("Service ou direction"),
        description=_l("Facultatif. Par exemple : agence de Lyon Part-Dieu"),
        validators=[Optional(), Length(max=200)],
    )
    region = SelectField(
        _l("Région"),
        choices=[("", _l("Sélectionnez une région"))] + [(r, r) for r in REGIONS],
        validators=[Optional()],
    )
