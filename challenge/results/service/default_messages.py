"""The default texts of the result messages, from templates/results/default_messages/<outcome>.html.

Each file holds three blocks, ``subject``, ``body`` and ``next_steps``, written in French with
their English translations in the catalogue; single braces are the messages' placeholders
(:mod:`challenge.results.placeholders`), filled only when a message is sent.
"""

from __future__ import annotations

import html

from flask import current_app

from challenge.results.queries.recipients import OUTCOME_ORDER

BLOCKS = ("subject", "body", "next_steps")


def default_texts(outcome: str) -> tuple[str, str, str]:
    """(subject, body, next steps) of ``outcome``'s default message, in the current language."""
    template = current_app.jinja_env.get_template(f"results/default_messages/{outcome}.html")
    context = template.new_context({})
    # The files are .html (autoescaped like every template); the texts are plain text.
    subject, body, next_steps = (
        html.unescape("".join(template.blocks[name](context)).strip()) for name in BLOCKS
    )
    return subject, body, next_steps


def default_templates() -> dict[str, tuple[str, str, str]]:
    """(subject, body, next steps) per outcome, in the organiser's language."""
    return {outcome: default_texts(outcome) for outcome in OUTCOME_ORDER}
