"""Unit tests of the streaming export writers (CSV, XLSX, JSON), read back with csv, openpyxl
and json."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from challenge.exports.writers import (
    DANGEROUS_PREFIXES,
    PROGRESS_EVERY,
    Column,
    ColumnType,
    Sheet,
    neutralise,
    sanitise_sheet_names,
    write_csv,
    write_json,
    write_xlsx,
)

COLUMNS = (
    Column("Titre", width=40),
    Column("Votes", ColumnType.INTEGER),
    Column("Note", "decimal"),
    Column("Échéance", "date"),
    Column("Déposée le", "datetime"),
)
ROWS = [
    (
        "Simplifier les congés",
        12,
        Decimal("3.75"),
        date(2024, 6, 30),
        datetime(2024, 3, 1, 9, 5, 42),
    ),
    ("=1+1", -2, Decimal("-0.5"), date(2024, 1, 2), datetime(2024, 12, 31, 23, 59)),
    ("Deux ; points\net une ligne", 0, Decimal("1E+2"), None, None),
    (None, None, None, None, None),
]


def sheet(rows: Any = None, name: str = "Propositions") -> Sheet:
    return Sheet(name, COLUMNS, ROWS if rows is None else rows)


class OneShot:
    """An iterable of ``count`` rows that refuses to be iterated twice, and that checks it is
    never consumed more than PROGRESS_EVERY rows ahead of the last progress report."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.iterations = 0
        self.yielded = 0
        self.reported = 0
        self.max_ahead = 0

    def progress(self, rows_written: int) -> None:
        self.reported = rows_written

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        self.iterations += 1
        assert self.iterations == 1, "the rows were iterated twice"
        return self._rows()

    def _rows(self) -> Iterator[tuple[Any, ...]]:
        for index in range(self.count):
            self.max_ahead = max(self.max_ahead, self.yielded - self.reported)
            self.yielded += 1
            yield (f"ligne {index}", index, Decimal(index) / 4, date(2024, 1, 1), None)


def read_csv(data: bytes, separator: str = ";") -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    assert not data[3:].startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def csv_bytes(a_sheet: Sheet, **options: Any) -> bytes:
    out = io.BytesIO()
    write_csv(a_sheet, out, **options)
    return out.getvalue()


def xlsx_workbook(sheets: list[Sheet], **options: Any) -> openpyxl.Workbook:
    out = io.BytesIO()
    write_xlsx(sheets, out, **options)
    out.seek(0)
    return openpyxl.load_workbook(out)


# --- neutralise -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Une idée = une proposition", "Une idée = une proposition"),
        ("a-b", "a-b"),
        ("'=1+1", "'=1+1"),
        (" =1+1", " =1+1"),
        ("", ""),
    ],
)
def test_neutralise(value: str, expected: str) -> None:
    assert neutralise(value) == expected


# --- descriptions ---------------------------------------------------------------------------


def test_column_accepts_type_names_and_rejects_unknown_ones() -> None:
    assert Column("Date", "date").type is ColumnType.DATE
    assert Column("Nom").type is ColumnType.TEXT
    with pytest.raises(ValueError, match="money"):
        Column("Montant", "money")


def test_sheet_needs_columns() -> None:
    with pytest.raises(ValueError, match="no column"):
        Sheet("Vide", [], [])


def test_sanitise_sheet_names() -> None:
    names = ["a" * 40, "A" * 35, "Notes [jury]: 1/2", "History", "'Avis'", "", "*", "Sheet6"]
    assert sanitise_sheet_names(names) == [
        "a" * 31,
        "A" * 27 + " (2)",
        "Notes _jury__ 1_2",
        "History_",
        "Avis",
        "Sheet6",
        "_",
        "Sheet6 (2)",
    ]


# --- CSV ------------------------------------------------------------------------------------


def test_csv_bom_separator_header_and_rows() -> None:
    data = csv_bytes(sheet())
    assert data.startswith(codecs.BOM_UTF8 + "Titre;Votes;Note;Échéance;Déposée le\r\n".encode())
    assert read_csv(data) == [
        ["Titre", "Votes", "Note", "Échéance", "Déposée le"],
        ["Simplifier les congés", "12", "3.75", "2024-06-30", "2024-03-01 09:05"],
        ["'=1+1", "-2", "-0.5", "2024-01-02", "2024-12-31 23:59"],
        ["Deux ; points\net une ligne", "0", "100", "", ""],
        ["", "", "", "", ""],
    ]


def test_csv_quotes_separators_and_newlines() -> None:
    data = csv_bytes(sheet())
    assert b'"Deux ; points\net une ligne";0;' in data


def test_csv_comma_separator() -> None:
    rows = read_csv(csv_bytes(sheet(), separator=","), ",")
    assert rows[0] == ["Titre", "Votes", "Note", "Échéance", "Déposée le"]
    assert rows[1] == ["Simplifier les congés", "12", "3.75", "2024-06-30", "2024-03-01 09:05"]
    data = csv_bytes(Sheet("s", [Column("a"), Column("b")], [("x;y", "x,y")]), separator=",")
    assert data.endswith(b'\r\nx;y,"x,y"\r\n')


def test_csv_decimal_comma() -> None:
    rows = read_csv(csv_bytes(sheet(), decimal_comma=True))
    assert [row[2] for row in rows[1:]] == ["3,75", "-0,5", "100", ""]


@pytest.mark.parametrize(
    ("options", "message"),
    [({"separator": "\t"}, "separator"), ({"separator": ",", "decimal_comma": True}, "comma")],
)
def test_csv_rejects_bad_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        csv_bytes(sheet(), **options)


def test_csv_datetimes_are_local_minutes_without_offset() -> None:
    paris = timezone(timedelta(hours=2))
    rows = [("x", 1, 1.5, datetime(2024, 5, 1, 8), datetime(2024, 5, 1, 8, 30, 59, 1, paris))]
    assert read_csv(csv_bytes(sheet(rows)))[1][3:] == ["2024-05-01", "2024-05-01 08:30"]


def test_csv_text_cells_are_neutralised_numbers_are_not() -> None:
    columns = [Column("=Titre"), Column("Nombre", "integer"), Column("Texte")]
    rows = [("@cmd", -3, 42), ("+1", -4, None)]
    assert read_csv(csv_bytes(Sheet("s", columns, rows))) == [
        ["'=Titre", "Nombre", "Texte"],
        ["'@cmd", "-3", "42"],
        ["'+1", "-4", ""],
    ]


def test_csv_to_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        assert write_csv(sheet(), out) == len(ROWS)
    assert read_csv(path.read_bytes()) == read_csv(csv_bytes(sheet()))


def test_csv_to_a_utf8_sig_text_file_has_a_single_bom(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        write_csv(sheet(), out)
    assert read_csv(path.read_bytes())[0][0] == "Titre"


def test_csv_to_a_string_buffer_and_a_raw_binary_writer() -> None:
    text = io.StringIO()
    write_csv(sheet(), text)
    assert text.getvalue().startswith("\ufeffTitre;")

    class Sink:  # a bare object with write(), like some WSGI streams
        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        def write(self, chunk: bytes) -> None:
            self.chunks.append(chunk)

    sink = Sink()
    write_csv(sheet(), sink)  # type: ignore[arg-type]
    assert b"".join(sink.chunks) == csv_bytes(sheet())


def test_csv_leaves_the_binary_file_open() -> None:
    out = io.BytesIO()
    write_csv(sheet(), out)
    out.write(b"more")
    assert out.getvalue().endswith(b"\r\nmore")


def test_csv_rejects_rows_of_the_wrong_length() -> None:
    with pytest.raises(ValueError):
        csv_bytes(sheet([("too", "short")]))
    with pytest.raises(ValueError):
        csv_bytes(sheet([ROWS[0] + ("one too many",)]))


def test_csv_returns_the_row_count_without_the_header() -> None:
    assert write_csv(sheet(), io.BytesIO()) == len(ROWS)
    assert write_csv(sheet([]), io.BytesIO()) == 0


@given(st.text())
def test_csv_text_round_trip_property(text: str) -> None:
    for separator in (";", ","):
        out = io.BytesIO()
        write_csv(Sheet("s", [Column("a"), Column("b")], [(text, text)]), out, separator)
        read_back = read_csv(out.getvalue(), separator)
        assert len(read_back) == 2
        expected = "'" + text if text.startswith(DANGEROUS_PREFIXES) else text
        assert read_back[1] == [expected, expected]


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_sheets_header_and_panes() -> None:
    workbook = xlsx_workbook([sheet(name="Propositions: 2024/25"), sheet([], "Avis")])
    assert workbook.sheetnames == ["Propositions_ 2024_25", "Avis"]
    for worksheet in workbook.worksheets:
        assert [cell.value for cell in worksheet[1]] == [column.header for column in COLUMNS]
        assert all(cell.font.b for cell in worksheet[1])
        assert worksheet.freeze_panes == "A2"
    assert workbook["Propositions_ 2024_25"].auto_filter.ref == "A1:E5"
    assert workbook["Avis"].auto_filter.ref == "A1:E1"


def test_xlsx_column_widths() -> None:
    worksheet = xlsx_workbook([sheet()]).active
    assert worksheet.column_dimensions["A"].width == pytest.approx(40, abs=1)
    assert worksheet.column_dimensions["D"].width >= 10  # dates are never "########"
    assert worksheet.column_dimensions["E"].width >= 16


def test_xlsx_typed_cells() -> None:
    worksheet = xlsx_workbook([sheet()]).active
    title, votes, score, deadline, submitted = worksheet[2]
    assert title.value == "Simplifier les congés"
    assert votes.value == 12 and votes.data_type == "n"
    assert score.value == pytest.approx(3.75) and score.data_type == "n"
    assert deadline.value == datetime(2024, 6, 30) and deadline.is_date
    assert deadline.number_format == "dd/mm/yyyy"
    assert submitted.value == datetime(2024, 3, 1, 9, 5, 42) and submitted.is_date
    assert submitted.number_format == "dd/mm/yyyy hh:mm"
    assert [cell.value for cell in worksheet[3]][1:3] == [-2, -0.5]
    assert worksheet["A4"].value == "Deux ; points\net une ligne"
    assert worksheet["C4"].value == 100
    assert [cell.value for cell in worksheet[5]] == [None] * 5


def test_xlsx_formula_looking_text_is_neutralised_and_not_a_formula() -> None:
    columns = [Column("=HEADER()"), Column("Texte"), Column("Lien")]
    rows = [("=1+1", "@SUM(A1)", "https://example.org"), ("-2", 7, "+33 6")]
    worksheet = xlsx_workbook([Sheet("s", columns, rows)]).active
    assert worksheet["A1"].value == "'=HEADER()"
    assert [worksheet[ref].value for ref in ("A2", "B2", "A3", "B3", "C3")] == [
        "'=1+1",
        "'@SUM(A1)",
        "'-2",
        "7",
        "'+33 6",
    ]
    assert worksheet["C2"].value == "https://example.org" and worksheet["C2"].hyperlink is None
    for row in worksheet.iter_rows():
        assert all(cell.data_type != "f" for cell in row)


def test_xlsx_aware_datetimes_are_written_as_local_time() -> None:
    paris = timezone(timedelta(hours=1))
    rows = [("x", 1, 1, date(2024, 1, 1), datetime(2024, 1, 1, 10, 30, tzinfo=paris))]
    worksheet = xlsx_workbook([sheet(rows)]).active
    assert worksheet["E2"].value == datetime(2024, 1, 1, 10, 30)


def test_xlsx_to_a_path_and_a_str_path(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    assert write_xlsx([sheet()], path) == len(ROWS)
    assert write_xlsx([sheet()], str(tmp_path / "again.xlsx")) == len(ROWS)
    assert openpyxl.load_workbook(path).active["A4"].value == ROWS[2][0]


def test_xlsx_rejects_rows_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="2 cells"):
        write_xlsx([sheet([("too", "short")])], io.BytesIO())


def test_xlsx_returns_the_rows_of_all_sheets() -> None:
    assert write_xlsx([sheet(), sheet(name="Copie"), sheet([], "Vide")], io.BytesIO()) == 8


# --- JSON -----------------------------------------------------------------------------------


def test_json_round_trip() -> None:
    items = [
        {"titre": "Idée ; « géniale »\n", "note": Decimal("3.5"), "votes": Decimal("4")},
        {"le": datetime(2024, 3, 1, 9, 5, tzinfo=UTC), "jour": date(2024, 3, 1), "x": None},
    ]
    header = {"campagne": "Intrapreneurs 2024", "exporté_le": datetime(2024, 3, 2, 8, 0)}
    out = io.BytesIO()
    assert write_json(header, iter(items), out) == 2
    assert json.loads(out.getvalue().decode("utf-8")) == {
        "campagne": "Intrapreneurs 2024",
        "exporté_le": "2024-03-02T08:00:00",
        "items": [
            {"titre": "Idée ; « géniale »\n", "note": 3.5, "votes": 4},
            {"le": "2024-03-01T09:05:00+00:00", "jour": "2024-03-01", "x": None},
        ],
    }
    assert "géniale".encode() in out.getvalue()  # UTF-8, not \\u escapes


@pytest.mark.parametrize("header", [{}, {"version": 1}])
def test_json_without_items(header: dict[str, Any]) -> None:
    out = io.StringIO()
    assert write_json(header, [], out) == 0
    assert json.loads(out.getvalue()) == {**header, "items": []}


def test_json_rejects_an_items_header_and_unknown_types() -> None:
    with pytest.raises(ValueError, match="items"):
        write_json({"items": 1}, [], io.StringIO())
    with pytest.raises(TypeError, match="object"):
        write_json({}, [{"x": object()}], io.StringIO())


# --- laziness, progress, memory -------------------------------------------------------------


def _json_items(rows: OneShot) -> Iterator[dict[str, Any]]:
    return ({"row": list(row)} for row in rows)


# Each writer, called as writer(rows, progress, out) with a binary file ``out``.
WRITERS: dict[str, Callable[[OneShot, Any, Any], int]] = {
    "csv": lambda rows, progress, out: write_csv(sheet(rows), out, progress=progress),
    "xlsx": lambda rows, progress, out: write_xlsx([sheet(rows)], out, progress=progress),
    "json": lambda rows, progress, out: write_json({}, _json_items(rows), out, progress),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_rows_are_consumed_once_and_lazily(writer: str) -> None:
    rows = OneShot(3 * PROGRESS_EVERY + 10)
    assert WRITERS[writer](rows, rows.progress, io.BytesIO()) == rows.count
    assert rows.iterations == 1
    assert rows.yielded == rows.count
    assert 0 < rows.max_ahead <= PROGRESS_EVERY


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, [0]),
        (7, [7]),
        (PROGRESS_EVERY, [PROGRESS_EVERY]),
        (2 * PROGRESS_EVERY + 5, [PROGRESS_EVERY, 2 * PROGRESS_EVERY, 2 * PROGRESS_EVERY + 5]),
    ],
)
def test_progress_every_n_rows_and_at_the_end(writer: str, count: int, expected: list[int]) -> None:
    calls: list[int] = []
    assert WRITERS[writer](OneShot(count), calls.append, io.BytesIO()) == count
    assert calls == expected


def test_xlsx_progress_is_cumulated_over_sheets() -> None:
    calls: list[int] = []
    sheets = [sheet(OneShot(PROGRESS_EVERY + 500)), sheet(OneShot(700), "Avis")]
    assert write_xlsx(sheets, io.BytesIO(), calls.append) == PROGRESS_EVERY + 1200
    assert calls == [PROGRESS_EVERY, 2 * PROGRESS_EVERY, PROGRESS_EVERY + 1200]


def peak_memory(writer: str, count: int) -> int:
    """The peak of Python allocations while writing ``count`` rows to /dev/null."""
    with open(os.devnull, "wb") as out:
        tracemalloc.start()
        try:
            WRITERS[writer](OneShot(count), None, out)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


@pytest.mark.parametrize("writer", WRITERS)
def test_memory_does_not_grow_with_the_number_of_rows(writer: str) -> None:
    small = peak_memory(writer, 3 * PROGRESS_EVERY)
    large = peak_memory(writer, 30 * PROGRESS_EVERY)
    assert large < 1.5 * small + 100_000
