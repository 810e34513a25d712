"""One mapping of the domain errors to pages, for every blueprint: status, DSFR page, no leak."""

from __future__ import annotations

import pytest
from flask import Flask

from challenge import errors

RAISED = {
    "not-found": (errors.NotFound("la campagne 12 est privée"), 404, "Page non trouvée"),
    "forbidden": (errors.Forbidden("réservé aux organisateurs de 12"), 403, "Accès refusé"),
    "concurrent": (
        errors.ConcurrentChange("Quelqu’un a enregistré avant vous."),
        409,
        "Modification concurrente",
    ),
    "refused": (errors.Refused("La phase d’évaluation est terminée."), 422, "Action impossible"),
    "invalid": (errors.Invalid({"title": "Trop long"}, "Corrigez le titre."), 422, "Action"),
    "gone": (errors.Gone("Le fichier a expiré."), 410, "Contenu expiré"),
}


@pytest.fixture
def raising_app(app: Flask) -> Flask:
    for name, (error, _status, _title) in RAISED.items():

        def view(error: errors.DomainError = error) -> str:
            raise error

        app.add_url_rule(f"/_test/{name}", f"raise_{name}", view)
    return app


@pytest.mark.parametrize("name", sorted(RAISED))
def test_each_domain_error_is_its_page(raising_app: Flask, name: str) -> None:
    error, status, title = RAISED[name]
    response = raising_app.test_client().get(f"/_test/{name}")
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert title in page
    assert 'class="fr-header' in page  # the DSFR layout, never a bare error
    if status in (403, 404):
        # Existence and rights are not explained to someone who may not know them.
        assert str(error.message) not in page
    else:
        assert str(error.message) in page  # the reason, in words for the person
