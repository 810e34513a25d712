"""DSFR error pages: no traceback ever reaches the person."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from challenge.errors import DomainError

log = logging.getLogger(__name__)

KNOWN = {400, 403, 404, 405, 409, 410, 413, 422, 429, 500}


def _title_and_text(code: int, description: str | None = None) -> tuple[str, str]:
    texts = {
        400: (
            _("Requête incorrecte"),
            _("La page n’a pas pu traiter votre demande. Revenez en arrière et réessayez."),
        ),
        403: (
            _("Accès refusé"),
            _("Vous n’avez pas les droits nécessaires pour afficher cette page."),
        ),
        404: (
            _("Page non trouvée"),
            _(
                "La page que vous cherchez est introuvable. Excusez-nous pour la gêne "
                "occasionnée. Si vous avez tapé l’adresse, vérifiez qu’elle est correcte."
            ),
        ),
        405: (_("Méthode non autorisée"), _("Cette action n’est pas possible sur cette page.")),
        409: (
            _("Modification concurrente"),
            _("Quelqu’un a modifié ces données en même temps que vous : rien n’est enregistré."),
        ),
        410: (
            _("Contenu expiré"),
            _("Ce contenu n’est plus disponible : il a expiré ou a été supprimé."),
        ),
        413: (
            _("Fichier trop volumineux"),
            _("Le fichier envoyé dépasse la taille autorisée. Choisissez un fichier plus léger."),
        ),
        422: (
            _("Action impossible"),
            _("Cette action n’est pas possible maintenant : rien n’a été modifié."),
        ),
        429: (
            _("Trop de demandes"),
            _("Vous avez fait trop de demandes en peu de temps. Patientez quelques minutes."),
        ),
        500: (
            _("Erreur inattendue"),
            _(
                "Désolé, le service rencontre un problème. Nous y travaillons pour le "
                "résoudre le plus rapidement possible."
            ),
        ),
    }
    return texts.get(code, texts[500])


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    title, text = _title_and_text(code)
    return render_template(
        "errors/error.html", code=code, title=title, text=text, detail=detail
    ), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            _(
                "Le formulaire a expiré ou n’a pas été envoyé depuis ce site. "
                "Rechargez la page et envoyez-le de nouveau."
            ),
        )

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> tuple[str, int]:
        """The one mapping of domain errors to pages: a view catches only what it shows beside
        a field; anything else raised by a service lands here, after the rollback."""
        from challenge.extensions import db

        db.session.rollback()
        code = error.status if error.status in KNOWN else 400
        detail = str(error.message) if error.message and code not in (403, 404) else None
        return render_error(code, detail)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int] | HTTPException:
        code = error.code or 500
        if code < 400:
            return error
        if code not in KNOWN:
            return render_error(400 if code < 500 else 500)
        detail = getattr(error, "description", None) if code == 429 else None
        return render_error(code, detail)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        log.exception("Unhandled error on %s %s", request.method, request.path)
        from challenge.extensions import db

        db.session.rollback()
        return render_error(InternalServerError.code)
