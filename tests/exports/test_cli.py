"""``challenge export CAMPAIGN``: the same builders from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from flask import Flask

from tests.exports.builders import World, build_world, read_csv


@pytest.fixture
def world(app: Flask) -> World:
    return build_world()


def run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["export", *args])


def test_xlsx_by_slug(app: Flask, world: World, tmp_path: Path) -> None:
    target = tmp_path / "sortie.xlsx"
    result = run(app, world.campaign.slug, "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 0, result.output + result.stderr
    assert "18 row(s) written" in result.output
    assert "lignes" in result.stderr  # tqdm's bar, on the terminal's error stream
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames[0] == "Propositions"
    assert not list(tmp_path.glob("*.part"))


def test_csv_view_and_separator_by_id(app: Flask, world: World, tmp_path: Path) -> None:
    target = tmp_path / "avis.csv"
    result = run(
        app,
        str(world.campaign.id),
        "--format",
        "csv",
        "--view",
        "reviews",
        "--separator",
        ",",
        "-o",
        str(target),
        "--quiet",
    )
    assert result.exit_code == 0, result.output + result.stderr
    rows = read_csv(target.read_bytes(), ",")
    assert rows[0][:3] == ["N° de la proposition", "Titre", "Juré"]
    assert len(rows) == 1 + 7


def test_pdf_and_json(app: Flask, world: World, tmp_path: Path) -> None:
    assert (
        run(app, "appel-exports", "--format", "pdf", "-o", str(tmp_path / "d.pdf")).exit_code == 0
    )
    assert (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF")
    assert (
        run(app, "appel-exports", "--format", "json", "-o", str(tmp_path / "r.json")).exit_code == 0
    )
    assert json.loads((tmp_path / "r.json").read_text())["statistics"]["laureates"] == 1


def test_default_file_name(app: Flask, world: World, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(app, "appel-exports", "--format", "csv", "--quiet")
    assert result.exit_code == 0, result.output + result.stderr
    (written,) = tmp_path.glob("appel-exports-propositions-*.csv")
    assert len(read_csv(written.read_bytes())) == 1 + 4


def test_errors_are_clear(app: Flask, world: World, tmp_path: Path) -> None:
    result = run(app, "inconnue", "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code != 0 and "inconnue" in result.stderr
    result = run(app, "appel-exports", "--format", "exe")
    assert result.exit_code == 2
    result = run(app, "autre-appel", "--format", "json", "-o", str(tmp_path / "x.json"))
    assert result.exit_code != 0 and "publiés" in result.stderr
    assert not (tmp_path / "x.json").exists()
