"""Placeholders of the result messages: ``{prenom}`` and friends, checked and replaced.

Pure: no Flask. ``{{`` and ``}}`` write a literal brace. Anything else between braces must be a
known name, so that a typo (``{prénom}``) is refused beside the field instead of reaching
hundreds of agents verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

FIRST_NAME = "prenom"
LAST_NAME = "nom"
TITLE = "titre"
CAMPAIGN = "campagne"
JURY_MESSAGE = "message_du_jury"
NEXT_STEPS = "prochaines_etapes"
LINK = "lien"

NAMES: tuple[str, ...] = (FIRST_NAME, LAST_NAME, TITLE, CAMPAIGN, JURY_MESSAGE, NEXT_STEPS, LINK)

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_SPACED_TOKEN = re.compile(r"(?P<space>[ \t]*)(?P<token>\{\{|\}\}|\{(?P<name>[^{}]*)\})")
_CLOSING = {",", ".", ";", ":", "!", "?", ")"}
_BLANK_RUNS = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")


def unknown(text: str, allowed: Iterable[str] = NAMES) -> list[str]:
    """The placeholder names of ``text`` that are not allowed, in order of appearance, once."""
    allowed = set(allowed)
    found: list[str] = []
    for match in _TOKEN.finditer(text or ""):
        name = match.group(1)
        if name is not None and name not in allowed and name not in found:
            found.append(name)
    return found


def used(text: str) -> list[str]:
    """The placeholder names used in ``text`` (known or not), once each, in order."""
    found: list[str] = []
    for match in _TOKEN.finditer(text or ""):
        name = match.group(1)
        if name is not None and name not in found:
            found.append(name)
    return found


def render(text: str, values: Mapping[str, str]) -> str:
    """Replace each placeholder by its value (missing: empty).

    A placeholder left empty must not leave a trace: no space before the comma that followed it
    ("Bonjour {prenom}," without a first name reads "Bonjour,"), and no empty paragraph (runs of
    blank lines are collapsed to one). The result is stripped.
    """
    source = text or ""

    def replace(match: re.Match[str]) -> str:
        space, found = match.group("space"), match.group("token")
        if found == "{{":
            return space + "{"
        if found == "}}":
            return space + "}"
        value = str(values.get(match.group("name"), ""))
        following = source[match.end() : match.end() + 1]
        if not value and following in _CLOSING:
            return ""
        return space + value

    result = _SPACED_TOKEN.sub(replace, source).replace("\r\n", "\n")
    return _BLANK_RUNS.sub("\n\n", result).strip()
