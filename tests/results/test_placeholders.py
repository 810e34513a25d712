"""Placeholders of the result messages: checked, then replaced."""

from __future__ import annotations

from challenge.results.placeholders import NAMES, render, unknown, used


def test_known_placeholders_are_replaced() -> None:
    text = "Bonjour {prenom},\n\nVotre proposition « {titre} » ({campagne})."
    values = {"prenom": "Marie", "titre": "Dossier unique", "campagne": "Appel 2026"}
    assert render(text, values) == (
        "Bonjour Marie,\n\nVotre proposition « Dossier unique » (Appel 2026)."
    )


def test_unknown_placeholders_are_listed_once_in_order() -> None:
    text = "Bonjour {prénom} {prenom} {Titre} {prénom} {}"
    assert unknown(text) == ["prénom", "Titre", ""]
    assert unknown("Rien à signaler {prenom}") == []


def test_doubled_braces_write_a_brace() -> None:
    assert unknown("{{prenom}} et {{ pas un espace réservé }}") == []
    assert render("{{prenom}} vaut {prenom}", {"prenom": "Marie"}) == "{prenom} vaut Marie"


def test_an_empty_jury_message_leaves_no_empty_paragraph() -> None:
    text = "Bonjour {prenom},\n\nBravo.\n\n{message_du_jury}\n\n{prochaines_etapes}\n\nÀ bientôt"
    assert render(text, {"prenom": "Marie"}) == "Bonjour Marie,\n\nBravo.\n\nÀ bientôt"


def test_missing_first_name_leaves_no_space_before_the_comma() -> None:
    assert render("Bonjour {prenom},\n\nTexte", {"prenom": ""}) == "Bonjour,\n\nTexte"


def test_values_are_not_interpreted_again() -> None:
    assert render("{titre}", {"titre": "Un {prenom} littéral"}) == "Un {prenom} littéral"


def test_used_and_names() -> None:
    assert used("{titre} {lien} {titre} {inconnu}") == ["titre", "lien", "inconnu"]
    assert set(NAMES) == {
        "prenom",
        "nom",
        "titre",
        "campagne",
        "message_du_jury",
        "prochaines_etapes",
        "lien",
    }
