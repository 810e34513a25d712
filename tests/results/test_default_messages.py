"""The default result messages, read from templates/results/default_messages/."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from challenge.results import placeholders
from challenge.results.queries.recipients import OUTCOME_ORDER
from challenge.results.service.default_messages import default_templates

PARAGRAPH = {"fr": "Bonjour {prenom},", "en": "Hello {prenom},"}
SIGNATURE = {"fr": "L’équipe de « {campagne} »", "en": "The “{campagne}” team"}


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_each_outcome_has_a_default_message_in_the_organisers_language(app, locale) -> None:
    with app.test_request_context(), force_locale(locale):
        texts = default_templates()
    assert set(texts) == set(OUTCOME_ORDER)
    for outcome, (subject, body, next_steps) in texts.items():
        assert subject and "\n" not in subject, outcome
        assert body.startswith(PARAGRAPH[locale] + "\n\n") and body.endswith(SIGNATURE[locale])
        assert "\n\n\n" not in body, "one blank line between paragraphs"
        assert placeholders.unknown(subject + body + next_steps) == []
        assert "{message_du_jury}" in body
        # Only the laureates and mentions have next steps, and their body includes them.
        assert bool(next_steps) == ("{prochaines_etapes}" in body)
