"""Forms of the jury pages (Flask-WTF: CSRF on every POST).

The grid's radio buttons are read from ``criterion-<id>`` fields by the view (the criteria are
the campaign's); everything else goes through these forms.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from challenge.jury.service.conflicts import ADMINISTRATION_MAX, REASON_MAX
from challenge.jury.service.reviews import COMMENT_MAX, MESSAGE_MAX
from challenge.jury.service.shortlist import NOTE_MAX


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token."""


class ReviewForm(FlaskForm):
    comment_for_jury = TextAreaField(
        _l("Commentaire pour le jury"),
        validators=[Optional(), Length(max=COMMENT_MAX)],
        description=_l(
            "Vu par les organisateurs, et par les autres jurés si la campagne le permet."
        ),
    )
    message_for_agent = TextAreaField(
        _l("Message pour l’agent (facultatif)"),
        validators=[Optional(), Length(max=MESSAGE_MAX)],
        description=_l(
            "Un conseil ou un encouragement que les organisateurs pourront transmettre avec les "
            "résultats. Il n’est pas signé."
        ),
    )


class AdministrationConflictForm(FlaskForm):
    administration = StringField(
        _l("Administration"),
        validators=[
            DataRequired(_l("Indiquez le nom de l’administration.")),
            Length(max=ADMINISTRATION_MAX),
        ],
        description=_l("Par exemple : « France Travail » ou « Ministère de l’Intérieur »."),
    )
    reason = StringField(
        _l("Raison (facultatif)"),
        validators=[Optional(), Length(max=REASON_MAX)],
        description=_l("Visible des organisateurs seulement."),
    )


class ProposalConflictForm(FlaskForm):
    reason = StringField(
        _l("Raison (facultatif)"),
        validators=[Optional(), Length(max=REASON_MAX)],
        description=_l("Visible des organisateurs seulement."),
    )


class RunAssignmentForm(FlaskForm):
    rebalance = BooleanField(
        _l("Rééquilibrer les charges"),
        description=_l(
            "Répartit de nouveau tout le travail à parts égales, quitte à déplacer des "
            "propositions déjà confiées. Sans cette case, seules les affectations devenues "
            "impossibles changent."
        ),
    )


class PairForm(FlaskForm):
    proposal_id = IntegerField(
        _l("Proposition"), validators=[InputRequired(_l("Choisissez une proposition."))]
    )
    juror_id = IntegerField(_l("Juré"), validators=[InputRequired(_l("Choisissez un juré."))])


class ShortlistForm(FlaskForm):
    note = TextAreaField(
        _l("Note commune (facultatif)"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        description=_l(
            "Utilisée pour chaque proposition cochée dont la note de ligne est vide. Elle reste "
            "interne aux organisateurs."
        ),
    )
