"""Reading the tabular files of a package (CSV or XLSX) into rows with line numbers.

Everything here turns a user's file into plain `str` cells, stripped of whitespace, with
the physical line (CSV) or sheet row (XLSX) each row starts on; typing and checking the
cells is the reader's job. A file that cannot be read becomes a `Problem`, never an
exception.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pollguard.core.problems import Problem

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class Table:
    """One file's header (lower-cased column names) and its non-blank rows."""

    file: str  # the name shown in messages, e.g. "centers.csv" or "centers.xlsx"
    columns: list[str]
    header_line: int = 1
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def files_by_lower_name(folder: Path) -> dict[str, Path]:
    """The folder's files by lower-cased name: "Centers.CSV" saved on Windows still counts."""
    try:
        return {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    except OSError:
        return {}


def find_table_file(folder: Path, name: str) -> tuple[Path | None, list[Problem]]:
    """The `name.csv` or `name.xlsx` file of `folder` (None when neither exists).

    File names are matched without regard to case, as on the Windows machines where
    packages are often prepared.
    """
    files = files_by_lower_name(folder)
    csv_path = files.get(f"{name}.csv")
    xlsx_path = files.get(f"{name}.xlsx")
    if csv_path and xlsx_path:
        # Which one is current is a guess we refuse to make: loading stale data silently
        # is worse than asking.
        return None, [Problem(f"{name}.csv", None, "both_formats", {"name": name})]
    if csv_path or xlsx_path:
        return csv_path or xlsx_path, []
    if f"{name}.xls" in files:
        # The pre-2007 binary format: openpyxl cannot read it, and it should not be guessed.
        return None, [Problem(f"{name}.xls", None, "old_excel_format", {"name": name})]
    return None, []


def decode_text(data: bytes, file: str, encoding: str) -> tuple[str | None, list[Problem]]:
    """Decode a text file's bytes, or explain where it stops being valid.

    A file that is valid UTF-8 is read as UTF-8 whatever election.yaml declares, so a
    package may mix files saved by Arabic Excel (Windows-1256) with files from other tools.
    This is safe: Arabic text in Windows-1256 is a run of bytes >= 0xC1 that is never valid
    UTF-8, and ASCII reads the same in both. A UTF-8 byte order mark is dropped.
    """
    if data.startswith(UTF8_BOM):
        data, encoding = data[len(UTF8_BOM) :], "utf-8"
    if encoding != "utf-8":
        try:
            return data.decode("utf-8"), []
        except UnicodeDecodeError:
            pass  # not UTF-8: the declared code page applies
    try:
        return data.decode(encoding), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        params = {"offset": exc.start, "byte": f"{data[exc.start]:02X}"}
        return None, [Problem(file, line, "bad_encoding", params)]


# Invisible marks that Arabic spreadsheets leave around cell values (bidi marks, BOM).
_EDGE_MARKS = "\u200b\u200e\u200f\u061c\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _strip(cell: str) -> str:
    """A cell without surrounding whitespace or invisible bidi marks."""
    cell = cell.strip()
    if cell and not cell.isascii():
        cell = cell.strip(_EDGE_MARKS).strip()
    return cell


def _rows_from_lines(
    lines: Iterator[tuple[int, list[str]]], file: str
) -> tuple[Table | None, list[Problem]]:
    """Header and rows from (line, cells) pairs; blank rows are skipped."""
    table: Table | None = None
    keep: list[tuple[str, int]] | None = None
    problems: list[Problem] = []
    for line, cells in lines:
        stripped = [_strip(c) for c in cells]
        if not any(stripped):
            continue
        if table is None:
            header = [c.lower() for c in stripped]
            first: dict[str, int] = {}
            for index, name in enumerate(header):
                if name in first and name:
                    problems.append(Problem(file, line, "duplicate_column", column=name))
                first.setdefault(name, index)
            table = Table(file, header, header_line=line)
            if len(first) < len(header):
                keep = list(first.items())  # a repeated column: its first occurrence counts
            if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
                # Excel in many locales saves "CSV" with semicolons; say so instead of
                # reporting every column as missing.
                problems.append(Problem(file, line, "wrong_delimiter", {"found": header[0]}))
            continue
        if len(stripped) > len(table.columns) and any(stripped[len(table.columns) :]):
            # Usually a name with an unquoted comma, which shifts every later cell.
            params = {"count": len(stripped), "columns": len(table.columns)}
            problems.append(Problem(file, line, "extra_cells", params))
        if keep is None:
            table.rows.append((line, dict(zip(table.columns, stripped, strict=False))))
        else:
            width = len(stripped)
            row = {name: stripped[i] if i < width else "" for name, i in keep}
            table.rows.append((line, row))
    if table is None:
        return None, [Problem(file, None, "empty_file")]
    return table, problems


def read_csv_text(text: str, file: str) -> tuple[Table | None, list[Problem]]:
    """Parse CSV text; each row carries the physical line its record starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))

    def numbered() -> Iterator[tuple[int, list[str]]]:
        start = 1
        for cells in reader:
            yield start, cells
            # line_num counts physical lines read so far, so a quoted cell spanning lines
            # still leaves the next record with its true line number.
            start = reader.line_num + 1

    try:
        return _rows_from_lines(numbered(), file)
    except csv.Error as exc:
        return None, [Problem(file, reader.line_num or None, "bad_csv", {"detail": str(exc)})]


def _cell_text(value: object) -> str:
    """An XLSX cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # whole numbers come back as floats from many writers
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path) -> tuple[Table | None, list[Problem]]:
    """Read the first sheet of a workbook; the line of a row is its sheet row number."""
    import openpyxl  # imported here: only packages that use XLSX pay for it

    file = path.name
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl reports a damaged workbook with whatever its zip and XML layers raise
        # (BadZipFile, KeyError, ParseError, InvalidFileException, ...): all mean the same.
        return None, [Problem(file, None, "bad_xlsx", {"detail": str(exc) or type(exc).__name__})]
    try:
        if not workbook.worksheets:
            return None, [Problem(file, None, "empty_file")]
        sheet = workbook.worksheets[0]

        def numbered() -> Iterator[tuple[int, list[str]]]:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell_text(v) for v in values]

        return _rows_from_lines(numbered(), file)
    except Exception as exc:
        # openpyxl reads lazily in read-only mode, so a damaged sheet fails here.
        return None, [Problem(file, None, "bad_xlsx", {"detail": str(exc) or type(exc).__name__})]
    finally:
        workbook.close()


def read_table(path: Path, encoding: str) -> tuple[Table | None, list[Problem]]:
    """Read a package's CSV (in `encoding`) or XLSX file."""
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(path.name, None, "unreadable_file", {"detail": exc.strerror or ""})]
    text, problems = decode_text(data, path.name, encoding)
    if text is None:
        return None, problems
    return read_csv_text(text, path.name)
