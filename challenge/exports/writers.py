"""Streaming writers for tabular exports: CSV, XLSX and JSON.

This module is pure: no Flask, no SQLAlchemy, no database. Every writer consumes its rows
(an iterable, typically a generator reading the database in batches) exactly once, writing
each row as soon as it is produced, so that memory stays constant whatever the number of rows.

Text cells are protected against spreadsheet formula injection (see :func:`neutralise`);
integers, decimals, dates and datetimes are typed and written as such.

Every writer accepts an optional ``progress(rows_written)`` callable, invoked every
:data:`PROGRESS_EVERY` rows and once at the end, and returns the number of rows written
(header excluded).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum, StrEnum
from itertools import islice
from typing import IO, Any, Final
from uuid import UUID

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

__all__ = [
    "CSV_SEPARATORS",
    "PROGRESS_EVERY",
    "Column",
    "ColumnType",
    "Progress",
    "Sheet",
    "neutralise",
    "sanitise_sheet_names",
    "write_csv",
    "write_json",
    "write_xlsx",
]

PROGRESS_EVERY: Final = 1_000
"""The progress callback is invoked every this many rows (and once at the end)."""

CSV_SEPARATORS: Final = (";", ",")
"""Accepted CSV separators: ``;`` for French Excel (the default), ``,`` otherwise."""

DANGEROUS_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet read a text cell as a formula (OWASP)."""

XLSX_DATE_FORMAT: Final = "dd/mm/yyyy"
XLSX_DATETIME_FORMAT: Final = "dd/mm/yyyy hh:mm"

_BOM: Final = "\ufeff"
_XLSX_MAX_ROWS: Final = 1_048_576
_SHEET_NAME_MAX: Final = 31
_SHEET_NAME_FORBIDDEN: Final = re.compile(r"[\[\]:*?/\\]")

Progress = Callable[[int], None]
"""``progress(rows_written)``: rows written so far, cumulated over the sheets of a workbook."""

Row = Sequence[Any]


class ColumnType(StrEnum):
    """How the cells of a column are typed in the export."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"


# Widths of date columns without a Column.width, so that Excel does not show "########".
_DEFAULT_XLSX_WIDTHS: Final = {ColumnType.DATE: 11.0, ColumnType.DATETIME: 17.0}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet: its header label, its cell type and its XLSX width (characters).

    ``type`` accepts a :class:`ColumnType` or its value (``"text"``, ``"date"``...).
    """

    header: str
    type: ColumnType = ColumnType.TEXT
    width: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", ColumnType(self.type))


@dataclass(frozen=True, slots=True)
class Sheet:
    """A named table: its columns and its rows, tuples of values in column order.

    ``rows`` may be a generator: it is iterated exactly once, lazily, by the writer. A cell may
    be ``None`` (written empty). A row of the wrong length raises ``ValueError``.
    """

    name: str
    columns: Sequence[Column]
    rows: Iterable[Row]

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError(f"sheet {self.name!r} has no column")
        object.__setattr__(self, "columns", tuple(self.columns))

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


def neutralise(value: str) -> str:
    """Protect a text cell from formula injection: prefix it with ``'`` when it starts with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return; return any other text unchanged."""
    if value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


class _ProgressCounter:
    """Counts written rows and reports them every PROGRESS_EVERY rows and at the end."""

    __slots__ = ("callback", "count", "reported")

    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self.count = 0
        self.reported = -1

    def advance(self, rows: int) -> None:
        """Add ``rows`` rows; report when a multiple of PROGRESS_EVERY is reached or crossed."""
        before, self.count = self.count, self.count + rows
        if before // PROGRESS_EVERY != self.count // PROGRESS_EVERY:
            self._report()

    def finish(self) -> int:
        """Report the final count (unless just reported) and return it."""
        if self.reported != self.count:
            self._report()
        return self.count

    def _report(self) -> None:
        if self.callback is not None:
            self.callback(self.count)
        self.reported = self.count


def _batches(rows: Iterable[Row]) -> Iterator[list[Row]]:
    """Yield the rows in lists of at most PROGRESS_EVERY rows, pulling them lazily."""
    iterator = iter(rows)
    while batch := list(islice(iterator, PROGRESS_EVERY)):
        yield batch


@contextmanager
def _text_stream(out: IO[str] | IO[bytes]) -> Iterator[IO[str]]:
    """Yield ``out`` if it is a text file, else a UTF-8 text wrapper left open on ``out``."""
    if isinstance(out, io.TextIOBase):
        yield out  # type: ignore[misc]
        return
    if isinstance(out, io.IOBase):
        wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="")  # type: ignore[type-var]
        try:
            yield wrapper
        finally:
            wrapper.detach()  # flushes, and keeps the caller's file open
        return
    yield codecs.getwriter("utf-8")(out)  # type: ignore[arg-type,misc]


# --- CSV ------------------------------------------------------------------------------------


def write_csv(
    sheet: Sheet,
    out: IO[str] | IO[bytes],
    separator: str = ";",
    progress: Progress | None = None,
    *,
    decimal_comma: bool = False,
) -> int:
    """Write ``sheet`` as CSV to ``out``, a binary file or a text file opened with
    ``encoding="utf-8"`` and ``newline=""``; the caller's file is left open.

    - UTF-8 with a BOM, so that French Excel detects the encoding (no second BOM is written to
      a text file opened with ``encoding="utf-8-sig"``), ``\\r\\n`` line endings;
    - ``separator``: ``;`` (default, French Excel) or ``,``;
    - cells with the separator, a quote or a newline are quoted by the csv module, so newlines
      inside cells are preserved; ``None`` is written empty;
    - text is neutralised (:func:`neutralise`); integers are written as they are;
    - decimals with a dot (``3.5``), the lingua franca of data tools; ``decimal_comma=True``
      writes ``3,5`` for French Excel, and is only allowed with the ``;`` separator;
    - dates as ``YYYY-MM-DD``, datetimes as ``YYYY-MM-DD HH:MM`` without any offset: the caller
      converts them to Europe/Paris local time beforehand.

    Return the number of rows written, header excluded.
    """
    if separator not in CSV_SEPARATORS:
        raise ValueError(f"CSV separator must be one of {CSV_SEPARATORS}, not {separator!r}")
    if decimal_comma and separator == ",":
        raise ValueError("a decimal comma needs the ';' separator")
    formatters = [_csv_formatter(column.type, decimal_comma) for column in sheet.columns]

    def format_row(row: Row) -> list[object]:
        return [format_cell(value) for format_cell, value in zip(formatters, row, strict=True)]

    counter = _ProgressCounter(progress)
    with _text_stream(out) as stream:
        if (getattr(stream, "encoding", None) or "").lower().replace("_", "-") != "utf-8-sig":
            stream.write(_BOM)
        writer = csv.writer(stream, delimiter=separator)
        writer.writerow([neutralise(header) for header in sheet.headers])
        for batch in _batches(sheet.rows):
            writer.writerows(map(format_row, batch))
            counter.advance(len(batch))
    return counter.finish()


def _csv_formatter(column_type: ColumnType, decimal_comma: bool) -> Callable[[Any], object]:
    """The function turning a cell value into what the csv writer receives."""
    if column_type is ColumnType.DECIMAL:
        return _csv_decimal_comma if decimal_comma else _csv_decimal
    return _CSV_FORMATTERS[column_type]


def _csv_text(value: Any, _dangerous: tuple[str, ...] = DANGEROUS_PREFIXES) -> str:
    if type(value) is str:  # the fast path, inlining neutralise()
        return "'" + value if value.startswith(_dangerous) else value
    return "" if value is None else neutralise(str(value))


def _csv_integer(value: Any) -> object:
    return value  # the csv writer writes None as an empty string and int as str(int)


def _csv_decimal(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    # Decimal("1E+2") prints in scientific notation: write it positionally, as "100".
    return format(value, "f") if "E" in text and isinstance(value, Decimal) else text


def _csv_decimal_comma(value: Any) -> str:
    return _csv_decimal(value).replace(".", ",")


def _csv_date(value: Any) -> str:
    return "" if value is None else value.isoformat()[:10]


def _csv_datetime(value: Any) -> str:
    # str(datetime) is "YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]": keep the local date and minutes.
    return "" if value is None else str(value)[:16]


_CSV_FORMATTERS: Final[dict[ColumnType, Callable[[Any], object]]] = {
    ColumnType.TEXT: _csv_text,
    ColumnType.INTEGER: _csv_integer,
    ColumnType.DATE: _csv_date,
    ColumnType.DATETIME: _csv_datetime,
}


# --- XLSX -----------------------------------------------------------------------------------

CellWriter = Callable[[int, int, Any], object]


@dataclass(frozen=True, slots=True)
class _XlsxFormats:
    header: Format
    date: Format
    datetime: Format


def write_xlsx(
    sheets: Iterable[Sheet],
    path_or_file: str | os.PathLike[str] | IO[bytes],
    progress: Progress | None = None,
) -> int:
    """Write ``sheets`` as an XLSX workbook, one worksheet per sheet, to a path or binary file.

    The workbook is written in xlsxwriter's ``constant_memory`` mode, row after row. Sheet names
    are made valid and unique (:func:`sanitise_sheet_names`); the header row is bold, frozen and
    carries an autofilter; column widths come from :attr:`Column.width`. Text is neutralised
    (:func:`neutralise`) and always written as a string, never as a formula or a URL (and cut
    by xlsxwriter at Excel's limit of 32,767 characters); integers and decimals are numbers;
    dates and datetimes are real Excel dates (``dd/mm/yyyy`` and ``dd/mm/yyyy hh:mm``).
    Datetimes are written as they are, without any offset: the caller converts them to
    Europe/Paris local time beforehand. A row of ``None`` only leaves an empty row.

    ``progress`` receives the rows written so far, cumulated over the sheets. Return the total
    number of rows written, headers excluded.
    """
    target = os.fspath(path_or_file) if isinstance(path_or_file, os.PathLike) else path_or_file
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "remove_timezone": True,
    }
    counter = _ProgressCounter(progress)
    with xlsxwriter.Workbook(target, options) as workbook:
        formats = _XlsxFormats(
            header=workbook.add_format({"bold": True}),
            date=workbook.add_format({"num_format": XLSX_DATE_FORMAT}),
            datetime=workbook.add_format({"num_format": XLSX_DATETIME_FORMAT}),
        )
        used_names: set[str] = set()
        for position, sheet in enumerate(sheets, start=1):
            name = _unique_sheet_name(sheet.name, used_names, f"Sheet{position}")
            worksheet = workbook.add_worksheet(name)
            _write_worksheet(worksheet, sheet, formats, counter)
    return counter.finish()


def _write_worksheet(
    worksheet: Worksheet, sheet: Sheet, formats: _XlsxFormats, counter: _ProgressCounter
) -> None:
    """Write the header then the rows of ``sheet``, strictly in order (constant_memory)."""
    last_column = len(sheet.columns) - 1
    for index, column in enumerate(sheet.columns):
        width = column.width or _DEFAULT_XLSX_WIDTHS.get(column.type)
        if width:
            worksheet.set_column(index, index, width)
        worksheet.write_string(0, index, neutralise(column.header), formats.header)
    worksheet.freeze_panes(1, 0)

    writers = [_xlsx_cell_writer(worksheet, column.type, formats) for column in sheet.columns]
    row_index = 0
    for row_index, row in enumerate(sheet.rows, start=1):
        _check_xlsx_row(sheet, row_index, row)
        for column_index, (write, value) in enumerate(zip(writers, row, strict=True)):
            if value is not None:
                write(row_index, column_index, value)
        counter.advance(1)
    worksheet.autofilter(0, 0, row_index, last_column)


def _check_xlsx_row(sheet: Sheet, row_index: int, row: Row) -> None:
    """Refuse a row of the wrong length, or beyond Excel's last row, before writing it."""
    if len(row) != len(sheet.columns):
        raise ValueError(
            f"row {row_index} of sheet {sheet.name!r} has {len(row)} cells, "
            f"not {len(sheet.columns)}"
        )
    if row_index >= _XLSX_MAX_ROWS:
        raise ValueError(f"sheet {sheet.name!r} exceeds Excel's {_XLSX_MAX_ROWS} rows")


def _xlsx_cell_writer(
    worksheet: Worksheet, column_type: ColumnType, formats: _XlsxFormats
) -> CellWriter:
    """The function writing a non-None cell of ``column_type`` to ``worksheet``."""
    if column_type is ColumnType.TEXT:

        def write_text(row: int, column: int, value: Any) -> object:
            text = value if isinstance(value, str) else str(value)
            return worksheet.write_string(row, column, neutralise(text))

        return write_text
    if column_type is ColumnType.INTEGER:
        return worksheet.write_number
    if column_type is ColumnType.DECIMAL:

        def write_decimal(row: int, column: int, value: Any) -> object:
            return worksheet.write_number(row, column, float(value))

        return write_decimal
    date_format = formats.date if column_type is ColumnType.DATE else formats.datetime

    def write_date(row: int, column: int, value: Any) -> object:
        return worksheet.write_datetime(row, column, value, date_format)

    return write_date


def sanitise_sheet_names(names: Iterable[str]) -> list[str]:
    """Make worksheet names valid for Excel and unique (case-insensitively), in order.

    Forbidden characters ``[]:*?/\\`` become ``_``, leading and trailing quotes are dropped,
    names are cut to 31 characters, an empty name becomes ``SheetN``, the reserved ``History``
    becomes ``History_``, and duplicates get a `` (2)``, `` (3)``... suffix.
    """
    used: set[str] = set()
    return [
        _unique_sheet_name(name, used, f"Sheet{position}")
        for position, name in enumerate(names, start=1)
    ]


def _unique_sheet_name(name: str, used: set[str], fallback: str) -> str:
    """A valid sheet name for ``name`` (``fallback`` if empty), not in ``used`` (lower-cased
    names), to which it is added."""
    base = _SHEET_NAME_FORBIDDEN.sub("_", name).strip().strip("'").strip()
    if base.lower() == "history":
        base += "_"
    base = base[:_SHEET_NAME_MAX].rstrip("'") or fallback
    candidate, number = base, 1
    while candidate.lower() in used:
        number += 1
        suffix = f" ({number})"
        candidate = base[: _SHEET_NAME_MAX - len(suffix)].rstrip("'") + suffix
    used.add(candidate.lower())
    return candidate


# --- JSON -----------------------------------------------------------------------------------


def write_json(
    document_header: Mapping[str, Any],
    items: Iterable[Mapping[str, Any]],
    out: IO[str] | IO[bytes],
    progress: Progress | None = None,
) -> int:
    """Stream ``{...document_header..., "items": [item, ...]}`` as UTF-8 JSON to ``out``.

    ``out`` is a binary file or a text file opened with ``encoding="utf-8"``; it is left open.
    Items are serialised one by one (one per line), never gathered in a list. Dates, datetimes
    and times become ISO 8601 strings (datetimes keep their offset, if any), decimals become
    numbers, UUIDs strings and enums their value. ``document_header`` must not have an
    ``"items"`` key. Return the number of items written.
    """
    if "items" in document_header:
        raise ValueError('the document header must not have an "items" key')
    header = _json_dumps(dict(document_header))
    opening = header[:-1] + (", " if document_header else "") + '"items": ['
    counter = _ProgressCounter(progress)
    with _text_stream(out) as stream:
        stream.write(opening)
        separator = "\n"
        for batch in _batches(items):
            for item in batch:
                stream.write(separator + _json_dumps(item))
                separator = ",\n"
            counter.advance(len(batch))
        stream.write("\n]}\n" if counter.count else "]}\n")
    return counter.finish()


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    """Serialise what the json module does not know."""
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        is_integral = value.is_finite() and value == value.to_integral_value()
        return int(value) if is_integral else float(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
