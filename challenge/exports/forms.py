"""The export request form (Flask-WTF: CSRF on every POST).

The choices are the page's (an organiser's or a juror's); the service checks them again.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.validators import InputRequired


class ExportForm(FlaskForm):
    format = RadioField(
        _l("Format"),
        validators=[InputRequired(message=_l("Choisissez un format."))],
        choices=[],
    )
    view = SelectField(
        _l("Vue exportée en CSV"),
        description=_l(
            "Un fichier CSV contient une seule vue ; le fichier Excel les contient toutes."
        ),
        choices=[],
    )
    separator = RadioField(_l("Séparateur du CSV"), choices=[], default=";")

    def set_choices(
        self,
        formats: Sequence[tuple[str, str]],
        views: Sequence[tuple[str, str]],
        separators: Sequence[tuple[str, str]],
    ) -> None:
        self.format.choices = list(formats)
        self.view.choices = list(views)
        self.separator.choices = list(separators)
