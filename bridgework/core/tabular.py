"""Tables in and out: the one CSV/XLSX writer every export uses and the one reader every
import uses.

Exports are streamed, so a list of 200,000 rows never sits in memory as one body: CSV goes out
line by line as the rows are read, XLSX is built in a temporary file that spills to disk when
large and is then sent in chunks. Every text cell is defended against formula injection (OWASP
"CSV injection"): a value a spreadsheet would run as a formula gets a leading quote, and XLSX
text is always written as a string cell.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import column_index_from_string
from openpyxl.utils.exceptions import InvalidFileException

__all__ = [
    "CSV_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
    "TableReadError",
    "neutralise",
    "read_table",
    "safe_filename",
    "tabular_response",
]

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Values spreadsheets store natively; anything else is written as its text.
_NATIVE = (int, float, Decimal, date, time)  # bool is an int; datetime is a date

# XLSX bodies up to this size stay in memory; larger ones spill to a file on disk.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024
# Lines are sent in pieces of about this size: one write per line costs a syscall each.
CSV_CHUNK_BYTES = 64 * 1024
# Excel's limit, and the characters it refuses in a sheet name.
_SHEET_TITLE_MAX = 31
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FILENAME_FORBIDDEN = re.compile(r"[^A-Za-z0-9._-]")


class TableReadError(ValueError):
    """The uploaded file is not a readable CSV (UTF-8) or XLSX file."""


# --- writing -------------------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet will run as a formula.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading ``'``; numbers,
    dates and None are kept as they are (a negative number is not text); anything else
    (model instances, lazy translations…) becomes its ``str()`` and is checked the same way,
    since a related record's name is as much user input as a text field.
    """
    if value is None or isinstance(value, _NATIVE):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def safe_filename(filename: str) -> str:
    """Only letters, digits, ``-``, ``_`` and ``.``: nothing that could break the header or
    name a path."""
    return _FILENAME_FORBIDDEN.sub("", filename).lstrip(".") or "export"


def tabular_response(
    header: list[str],
    rows: Iterable[Sequence[Any]],
    *,
    fmt: Literal["csv", "xlsx"],
    filename: str,
    sheet_title: str = "Sheet",
    preamble_rows: Iterable[Sequence[Any]] = (),
) -> HttpResponseBase:
    """A streamed download of ``header``, then ``preamble_rows`` (e.g. an HXL hashtag row),
    then ``rows``, every cell neutralised.

    CSV is a :class:`StreamingHttpResponse` read from ``rows`` as it is sent (so ``rows`` may
    be a lazy database iterator); XLSX is a :class:`FileResponse` of a temporary file.
    """
    name = safe_filename(filename)
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            _csv_chunks(header, chain(preamble_rows, rows)), content_type=CSV_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    if fmt == "xlsx":
        body = _xlsx_file(header, chain(preamble_rows, rows), sheet_title)
        return FileResponse(body, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)
    raise ValueError(f"unknown table format {fmt!r}")


class _Echo:
    """A pseudo-file whose ``write`` hands the line back, so ``csv.writer`` formats one row at a
    time without a buffer."""

    def write(self, line: str) -> str:
        return line


def _csv_chunks(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    # The BOM makes Excel read the file as UTF-8 (else accented names come out garbled);
    # Python readers should decode with "utf-8-sig", as read_table does.
    pending = [codecs.BOM_UTF8, writer.writerow([neutralise(v) for v in header]).encode()]
    size = sum(map(len, pending))
    for row in rows:
        line = writer.writerow([neutralise(v) for v in row]).encode()
        pending.append(line)
        size += len(line)
        if size >= CSV_CHUNK_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def _xlsx_file(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], sheet_title: str
) -> tempfile.SpooledTemporaryFile[bytes]:
    book = Workbook(write_only=True)  # rows go straight to disk, not into a cell tree
    sheet = book.create_sheet(_sheet_title(sheet_title))
    # Not a with-block: the response closes the file once it has been sent.
    body = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115
    try:
        for row in chain([header], rows):
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        book.save(body)
    except BaseException:
        body.close()
        raise
    body.seek(0)
    return body


def _xlsx_cell(sheet, value: Any) -> Any:
    value = neutralise(value)
    if isinstance(value, str):
        # Control characters other than tab/newline/CR make openpyxl refuse the whole file.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # text, whatever it looks like: never a formula
        return cell
    if isinstance(value, datetime) and timezone.is_aware(value):
        # XLSX has no time zones: write the wall-clock time the user sees on the pages.
        return timezone.make_naive(value)
    return value


def _sheet_title(title: str) -> str:
    return _SHEET_TITLE_FORBIDDEN.sub("", str(title)).strip()[:_SHEET_TITLE_MAX] or "Sheet"


# --- reading -------------------------------------------------------------------------------------

# What openpyxl and zipfile raise for a file that is not a sound XLSX: a bad archive, missing
# parts, malformed XML (ParseError and lxml's errors are SyntaxErrors), values it cannot parse.
_XLSX_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    InvalidFileException,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    SyntaxError,
    EOFError,
    OSError,
)


_ZIP_SIGNATURE = b"PK\x03\x04"


# What an upload may hold. An XLSX file is a zip: a few kilobytes can unpack into gigabytes,
# and a sheet that declares itself 16,384 columns wide makes a reader pad every row to that.
MAX_ROWS = 10_000
MAX_COLUMNS = 200
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# openpyxl reads an XLSX's shared-strings table whole before any row: a 123 KB file of empty
# strings made it hold 500 MB. A table of MAX_ROWS rows needs far fewer different texts.
MAX_SHARED_STRINGS = 200_000
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024


def read_table(
    source: str | Path | bytes, filename: str = "", *, max_rows: int = MAX_ROWS
) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, with or without BOM) or XLSX file (first sheet) as dicts of
    stripped strings keyed by the header row; dates as ISO text; empty rows skipped.

    XLSX is recognised by the ``.xlsx`` extension of ``filename`` (or of a path ``source``) or
    by the zip signature it starts with. Raises :class:`TableReadError` when the file cannot
    be read, or holds more than ``max_rows`` rows or :data:`MAX_COLUMNS` columns, or (XLSX)
    would unpack to more than :data:`MAX_UNPACKED_BYTES`; nothing is read past the limit.
    """
    if isinstance(source, str | Path):
        name = str(filename or source).lower()
        data = Path(source).read_bytes()
    else:
        name, data = filename.lower(), source
    if name.endswith(".xlsx") or data[:4] == _ZIP_SIGNATURE:
        return _read_xlsx(data, max_rows)
    return _read_csv(data, max_rows)


def _check_xlsx_parts(data: bytes, max_rows: int) -> None:
    """Refuse, before openpyxl reads anything, an XLSX that would cost far more to read than
    any table it may hold: entries unpacking past :data:`MAX_UNPACKED_BYTES`, a shared-strings
    table (which openpyxl reads whole, first) past :data:`MAX_SHARED_STRINGS` strings or
    :data:`MAX_SHARED_STRINGS_BYTES`, or a first sheet declaring more rows or columns than may
    be read. Only the zip's directory and a few small parts are looked at."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = {info.filename: info for info in archive.infolist()}
            if sum(info.file_size for info in entries.values()) > MAX_UNPACKED_BYTES:
                raise TableReadError(_("the XLSX file is too large once unpacked"))
            shared = next(
                (info for name, info in entries.items() if _is_shared_strings(name)), None
            )
            if shared is not None:
                _check_shared_strings(archive, shared)
            sheet = _first_sheet_name(archive, entries)
            if sheet is not None:
                _check_declared_dimension(archive, entries[sheet], max_rows)
    except TableReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, KeyError, SyntaxError) as exc:
        raise TableReadError(_("not a readable XLSX file")) from exc


def _is_shared_strings(name: str) -> bool:
    return name.lower().rpartition("/")[2] == "sharedstrings.xml"


_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")


def _check_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Count the strings as the part unpacks, a chunk at a time, stopping at the limit."""
    too_many = _("the XLSX file holds more than %(count)s different texts") % {
        "count": MAX_SHARED_STRINGS
    }
    if info.file_size > MAX_SHARED_STRINGS_BYTES:
        raise TableReadError(too_many)
    count, tail, unpacked = 0, b"", 0
    with archive.open(info) as part:
        while chunk := part.read(64 * 1024):
            unpacked += len(chunk)
            if unpacked > MAX_SHARED_STRINGS_BYTES:  # the directory's size was not the truth
                raise TableReadError(too_many)
            window = tail + chunk
            count += len(_SHARED_STRING.findall(window)) - len(_SHARED_STRING.findall(tail))
            if count > MAX_SHARED_STRINGS:
                raise TableReadError(too_many)
            tail = window[-64:]


_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OFFICE_DOCUMENT = "/officeDocument"
_SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SMALL_PART = 1024 * 1024  # the package's own indexes: workbook, relationships


def _small_xml(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], name: str):
    info = entries.get(name)
    if info is None or info.file_size > _SMALL_PART:
        return None
    return ElementTree.fromstring(archive.read(info))  # noqa: S314 (a capped, expat-guarded part)


def _part_name(base: str, target: str) -> str:
    """A relationship's target, relative to the part ``base`` or absolute, as a zip name."""
    if target.startswith("/"):
        return target.lstrip("/")
    folder = base.rpartition("/")[0]
    return posixpath.normpath(posixpath.join(folder, target)) if folder else target


def _first_sheet_name(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo]) -> str | None:
    """The zip name of the workbook's first sheet (the one read), as openpyxl finds it."""
    package = _small_xml(archive, entries, "_rels/.rels")
    if package is None:
        return None
    workbook = next(
        (
            _part_name("", rel.get("Target", ""))
            for rel in package.iter(_REL)
            if rel.get("Type", "").endswith(_OFFICE_DOCUMENT)
        ),
        None,
    )
    if workbook is None:
        return None
    folder, _sep, leaf = workbook.rpartition("/")
    book = _small_xml(archive, entries, workbook)
    rels = _small_xml(
        archive, entries, f"{folder}/_rels/{leaf}.rels" if folder else f"_rels/{leaf}.rels"
    )
    if book is None or rels is None:
        return None
    first = next(book.iter(_SHEET), None)
    if first is None:
        return None
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(_REL)}
    target = targets.get(first.get(_REL_ID))
    name = _part_name(workbook, target) if target else None
    return name if name in entries else None


_DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=\"([A-Z]+[0-9]+:)?([A-Z]+)([0-9]+)\""
)


def _check_declared_dimension(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_rows: int
) -> None:
    """The sheet's declared extent (``<dimension ref="A1:F120"/>``, near its start) within
    what may be read: a header and ``max_rows`` rows, :data:`MAX_COLUMNS` columns."""
    with archive.open(info) as part:
        head = part.read(4096)
    found = _DIMENSION.search(head)
    if found is None:
        return
    letters = found.group(2).decode("ascii")
    columns = column_index_from_string(letters) if len(letters) <= 3 else 1 << 20
    rows = int(found.group(3))
    if rows > max_rows + 1:
        raise TableReadError(
            _("the sheet declares %(rows)s rows; at most %(max)s can be read")
            % {"rows": rows, "max": max_rows}
        )
    if columns > MAX_COLUMNS:
        raise TableReadError(
            _("the sheet declares %(columns)s columns; at most %(max)s can be read")
            % {"columns": columns, "max": MAX_COLUMNS}
        )


def _read_xlsx(data: bytes, max_rows: int) -> list[dict[str, str]]:
    _check_xlsx_parts(data, max_rows)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            # Bounded by what may be read, whatever width and height the sheet declares:
            # openpyxl pads every row to the declared width unless told where to stop.
            cells = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1, max_row=max_rows + 2)
            rows = _bounded_rows(cells, max_rows)
        finally:
            book.close()  # a read-only workbook keeps its archive open
    except _XLSX_ERRORS as exc:
        raise TableReadError(_("not a readable XLSX file")) from exc
    return _as_dicts(rows)


def _bounded_rows(rows: Iterable[Sequence[Any]], max_rows: int) -> list[list[str]]:
    """Rows as stripped strings, the header's width at most :data:`MAX_COLUMNS`: trailing empty
    cells are dropped before anything is padded, and reading stops past ``max_rows``."""
    out: list[list[str]] = []
    width = MAX_COLUMNS
    for row in rows:
        cells = [_cell(value) for value in row[: width + 1]]
        while cells and cells[-1] == "":
            cells.pop()
        if not out:
            if len(cells) > MAX_COLUMNS:
                raise TableReadError(_("more than %(max)s columns") % {"max": MAX_COLUMNS})
            width = len(cells)
        elif not cells:
            continue
        out.append(cells[:width])
        if len(out) > max_rows + 1:
            raise TableReadError(_("more than %(max)s rows") % {"max": max_rows})
    return out


def _read_csv(data: bytes, max_rows: int) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
        rows = _bounded_rows(csv.reader(io.StringIO(text)), max_rows)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise TableReadError(_("not a readable UTF-8 CSV file")) from exc
    return _as_dicts(rows)


def _as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    """Header row first; short rows padded with "", cells beyond the header dropped."""
    if not rows:
        return []
    header, *body = rows
    return [
        {key: row[i] if i < len(row) else "" for i, key in enumerate(header)}
        for row in body
        if any(row)
    ]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
