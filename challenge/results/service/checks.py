"""What every write of the results domain answers to bad input."""

from __future__ import annotations

from flask_babel import gettext as _

from challenge.errors import Invalid


def nothing_saved(errors: dict[str, str]) -> Invalid:
    """Invalid input: each message beside its field, and nothing written."""
    return Invalid(errors, _("Rien n’est enregistré : corrigez les champs signalés."))
