"""Each export format, built from a campaign with results and opened by a reader.

CSV with the csv module, XLSX with openpyxl, PDF with pypdf, JSON with json and the published
JSON Schema (jsonschema). Organisers' rights here; jurors' in test_export_permissions.py.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from flask import Flask
from pypdf import PdfReader

from challenge.access.juror_view import ORGANISER
from challenge.exports import builders
from challenge.exports.builders.results_json import SCHEMA_PATH
from challenge.exports.spec import ExportSpec, NotAvailable
from tests.exports.builders import INJECTION, World, build_world, read_csv


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest) -> World:
    """The same campaign on SQLite and on PostgreSQL (the statements must run on both)."""
    request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")
    return build_world()


def build(world: World, tmp_path: Path, format: str, **options: str) -> tuple[Path, list[int]]:
    spec = ExportSpec(world.campaign.id, format, sight=ORGANISER, **options)
    path = tmp_path / f"export.{format}"
    calls: list[int] = []
    written = builders.build(world.campaign, spec, path, calls.append)
    assert calls and calls[-1] == written
    assert builders.rows_total(world.campaign, spec) == written
    return path, calls


# ---------------------------------------------------------------- CSV ------------------------


def test_csv_proposals_rows_columns_and_extra_questions(world: World, tmp_path: Path) -> None:
    path, _ = build(world, tmp_path, "csv", view="proposals")
    rows = read_csv(path.read_bytes())
    header, body = rows[0], rows[1:]
    assert header[:4] == ["N°", "Statut", "Titre", "L’irritant"]
    assert header[-2:] == ["Votre métier", "Déjà testé ?"]  # the campaign's extra questions
    for column in ("Porteur", "E-mail du porteur", "Co-auteurs", "Soutiens", "Déposée le"):
        assert column in header
    assert all(len(row) == len(header) for row in body)
    # Drafts are never exported; withdrawn proposals are, with their status.
    assert [int(row[0]) for row in body] == [p.id for p in world.proposals]
    by_id = {int(row[0]): dict(zip(header, row, strict=True)) for row in body}
    laureate = by_id[world.proposals[0].id]
    assert laureate["Statut"] == "Lauréate"
    assert laureate["Porteur"] == "Aline Porteuse"
    assert laureate["E-mail du porteur"] == "agent1@douane.gouv.fr"
    assert laureate["Co-auteurs"] == "coautrice@douane.gouv.fr"
    assert laureate["Soutiens"] == "2"
    assert laureate["Votre métier"] == "Contrôleuse"
    assert laureate["Déjà testé ?"] == "Oui"
    assert by_id[world.proposals[3].id]["Statut"] == "Retirée"
    assert by_id[world.proposals[1].id]["Déjà testé ?"] == "Non"
    # Dates in Paris time, "YYYY-MM-DD HH:MM".
    assert datetime.strptime(laureate["Déposée le"], "%Y-%m-%d %H:%M")


def test_csv_formula_injection_is_neutralised(world: World, tmp_path: Path) -> None:
    path, _ = build(world, tmp_path, "csv", view="proposals")
    rows = read_csv(path.read_bytes())
    titles = [row[2] for row in rows[1:]]
    assert "'" + INJECTION in titles
    assert INJECTION not in titles
    answers = [row[-2] for row in rows[1:]]
    assert "'@agent" in answers  # answers to extra questions too


def test_csv_comma_separator(world: World, tmp_path: Path) -> None:
    path, _ = build(world, tmp_path, "csv", view="ranking", separator=",")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfRang (note brute),")
    rows = read_csv(path.read_bytes(), ",")
    assert len(rows) == 1 + 3  # the three proposals in competition


def test_csv_reviews_one_row_per_juror_and_proposal(world: World, tmp_path: Path) -> None:
    path, _ = build(world, tmp_path, "csv", view="reviews")
    rows = read_csv(path.read_bytes())
    header = rows[0]
    assert header[6:9] == ["Impact (poids 2)", "Faisabilité (poids 1)", "Note pondérée"]
    body = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    # Submitted written reviews only: 7 (Bruno's draft is not one).
    assert len(body) == 7
    alice_on_laureate = next(
        r for r in body if r["Juré"] == "Alice Juré" and r["N° de la proposition"] == "1"
    )
    assert alice_on_laureate["Impact (poids 2)"] == "4"
    assert alice_on_laureate["Faisabilité (poids 1)"] == "3"
    assert alice_on_laureate["Note pondérée"] == "3.667"  # (2×4 + 1×3) / 3
    assert alice_on_laureate["Commentaire pour le jury"] == "Excellent"


def test_csv_pitch_reviews_and_laureates(world: World, tmp_path: Path) -> None:
    path, _ = build(world, tmp_path, "csv", view="pitch_reviews")
    rows = read_csv(path.read_bytes())
    assert rows[0][6] == "Conviction (poids 1)"
    assert len(rows) == 1 + 2
    path, _ = build(world, tmp_path, "csv", view="laureates")
    rows = read_csv(path.read_bytes())
    assert [row[1] for row in rows[1:]] == ["Lauréat", "Mention du jury"]
    assert rows[1][2] == "'" + INJECTION


def test_csv_ranking_raw_and_normalised(world: World, tmp_path: Path) -> None:
    path, _ = build(world, tmp_path, "csv", view="ranking")
    rows = read_csv(path.read_bytes())
    header = rows[0]
    body = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [r["N°"] for r in body] == [str(p.id) for p in world.proposals[:3]]
    first = body[0]
    assert first["Rang (note brute)"] == "1" and first["Rang (note normalisée)"] == "1"
    assert first["Évaluations"] == "3"
    assert first["Moyenne"] == "3.556"  # mean of 3.667, 3 and 4
    assert first["Note normalisée"]
    # Bruno's review of the mention is in conflict: the ranking never counts it.
    assert body[1]["Évaluations"] == "2"
    assert first["Présélection"] == "Oui" and body[2]["Présélection"] == "Non"


# ---------------------------------------------------------------- XLSX -----------------------


def test_xlsx_one_sheet_per_view_typed_cells_frozen_header(world: World, tmp_path: Path) -> None:
    path, calls = build(world, tmp_path, "xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == [
        "Propositions",
        "Évaluations",
        "Notes des pitchs",
        "Classement",
        "Lauréats",
    ]
    counts = {ws.title: ws.max_row - 1 for ws in workbook.worksheets}
    assert counts == {
        "Propositions": 4,
        "Évaluations": 7,
        "Notes des pitchs": 2,
        "Classement": 3,
        "Lauréats": 2,
    }
    assert calls[-1] == sum(counts.values())
    proposals = workbook["Propositions"]
    assert proposals.freeze_panes == "A2"
    assert proposals.column_dimensions["C"].width == pytest.approx(40, abs=1)
    header = [cell.value for cell in proposals[1]]
    assert header[-2:] == ["Votre métier", "Déjà testé ?"]
    row = {h: c for h, c in zip(header, proposals[2], strict=True)}
    assert row["N°"].value == world.proposals[0].id and row["N°"].data_type == "n"
    assert row["Titre"].value == "'" + INJECTION  # neutralised, and a string, not a formula
    assert row["Titre"].data_type == "s"
    assert row["Déposée le"].is_date and isinstance(row["Déposée le"].value, datetime)
    assert row["Soutiens"].value == 2
    reviews = workbook["Évaluations"]
    scores = [(r[2].value, r[6].value, r[8].value) for r in reviews.iter_rows(min_row=2)]
    assert ("Alice Juré", 4, pytest.approx(3.667)) in scores
    for worksheet in workbook.worksheets:
        for cells in worksheet.iter_rows():
            assert all(cell.data_type != "f" for cell in cells)


# ---------------------------------------------------------------- PDF ------------------------


def test_pdf_dossier_cover_then_each_laureate(world: World, tmp_path: Path) -> None:
    path, _ = build(world, tmp_path, "pdf")
    reader = PdfReader(path)
    pages = [page.extract_text() for page in reader.pages]
    assert "Dossier des lauréats".upper() in pages[0].upper()
    assert world.campaign.title in pages[0]
    text = "\n".join(pages)
    laureate, mention = world.proposals[0], world.proposals[1]
    assert "L’irritant de Dédouaner en un clic" in text
    assert "La solution de Dédouaner en un clic" in text
    assert "Impact" in text and "Faisabilité" in text and "Conviction" in text
    assert "Excellent" in text and "Prometteur" in text  # the jury's comments
    assert "Conflit caché" not in text  # a conflicted juror's review is never shown
    assert "Fini les formulaires papier" not in text  # not a laureate
    assert f"Proposition n° {laureate.id}" in text and f"Proposition n° {mention.id}" in text
    assert len(reader.pages) >= 4  # cover, summary, one page per laureate or mention
    assert reader.metadata.title.startswith("Dossier des lauréats")


# ---------------------------------------------------------------- JSON -----------------------


def test_json_published_results_match_the_schema(world: World, tmp_path: Path) -> None:
    path, _ = build(world, tmp_path, "json")
    document = json.loads(path.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(
        document, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert document["statistics"] == {"proposals_in_competition": 3, "laureates": 1, "mentions": 1}
    assert [item["outcome"] for item in document["items"]] == ["laureate", "mention"]
    laureate, mention = document["items"]
    assert laureate["title"] == INJECTION  # JSON is data, not a spreadsheet: kept as it is
    assert laureate["authors"] == ["Aline Porteuse"]  # she agreed to publish her name
    assert mention["authors"] == []  # he did not
    text = path.read_text(encoding="utf-8")
    for personal in ("@douane.gouv.fr", "Basile", "Bruno", "Excellent", "coautrice"):
        assert personal not in text


def test_json_needs_published_results(app: Flask, tmp_path: Path) -> None:
    world = build_world(status="pitch")
    with pytest.raises(NotAvailable):
        builders.build(world.campaign, ExportSpec(world.campaign.id, "json"), tmp_path / "x.json")
