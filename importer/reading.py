"""Reading an import file a row at a time: a CSV holds one kind of record (named by its file
name, `contacts.csv`), an XLSX workbook a sheet per kind (`people`, `contacts`, ...). Neither is
ever read into memory whole: csv's reader and openpyxl's read-only mode stream the rows."""

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath

from django.conf import settings
from openpyxl import load_workbook

from importer.format import BY_SHEET

ACCEPTED = (
    "a CSV file named after what it holds (people.csv, contacts.csv, ...) or an XLSX workbook"
)
# A workbook is a ZIP: what it unpacks to is capped, so a small file cannot fill the memory.
XLSX_MAX_UNPACKED = 2 * 1024 * 1024 * 1024
CSV_SNIFF_BYTES = 64 * 1024


class FileRefused(ValueError):
    """A file that is not one the importer reads; `message` is a sentence for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """One kind of record in the file: where it is (for problems) and its rows."""

    kind: str  # a key of importer.format.BY_SHEET
    label: str  # "contacts.csv" or "contacts sheet"
    header: list
    rows_estimate: int
    _rows: object  # iterator of (row number, [values])

    def rows(self):
        """(row number, {column: value}) for each row that is not empty."""
        for number, values in self._rows:
            if not any(v not in (None, "") for v in values):
                continue
            yield (
                number,
                {
                    column: _cell(value)
                    for column, value in zip(self.header, values, strict=False)
                    if column
                },
            )


def _cell(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _header(values):
    return [str(v).strip().lower() if v is not None else "" for v in values]


def kind_of_csv(name):
    """The kind a CSV holds, from its file name: `contacts.csv`, `2019-contacts.csv`."""
    stem = PurePath(name).stem.lower()
    for kind in BY_SHEET:
        if stem == kind or stem.endswith(f"-{kind}") or stem.endswith(f"_{kind}"):
            return kind
    raise FileRefused(
        f"Name the CSV file after what it holds: {', '.join(k + '.csv' for k in BY_SHEET)}."
    )


def check_file(handle, name):
    """Refuse what is not a CSV or XLSX the importer can read, from its content and size."""
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    limit = settings.IMPORT_MAX_BYTES
    if size == 0:
        raise FileRefused("The file is empty.")
    if size > limit:
        raise FileRefused(f"The file is too big: the limit is {limit // (1024 * 1024)} MB.")
    start = handle.read(CSV_SNIFF_BYTES)
    handle.seek(0)
    if start.startswith(b"PK\x03\x04"):
        _check_xlsx(handle)
        return "xlsx"
    if b"\x00" in start:
        raise FileRefused(f"This is not a file the import reads: send {ACCEPTED}.")
    try:
        # A multi-byte character cut at the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8-sig")().decode(start, final=False)
    except UnicodeDecodeError as error:
        raise FileRefused(
            "The CSV file is not UTF-8 text: save it again as “CSV UTF-8”."
        ) from error
    kind_of_csv(name)
    return "csv"


def _check_xlsx(handle):
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise FileRefused(f"This is not a file the import reads: send {ACCEPTED}.") from error
    finally:
        handle.seek(0)
    if "xl/workbook.xml" not in names:
        raise FileRefused(f"This is not an XLSX workbook: send {ACCEPTED}.")
    if unpacked > XLSX_MAX_UNPACKED:
        raise FileRefused("The workbook unpacks to more than the import reads.")


def open_sheets(handle, name):
    """The kinds of record in the file, in the file's order, each streaming its rows. The
    handle is binary and stays open while the rows are read."""
    if check_file(handle, name) == "xlsx":
        return _xlsx_sheets(handle)
    return [_csv_sheet(handle, name)]


def _csv_sheet(handle, name):
    kind = kind_of_csv(name)
    lines = sum(1 for _ in handle) if hasattr(handle, "__iter__") else 0
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", errors="strict")
    reader = csv.reader(text)
    header = _header(next(reader, []))

    def rows():
        for values in reader:
            yield reader.line_num, values

    return Sheet(kind, PurePath(name).name, header, max(lines - 1, 0), rows())


def _xlsx_sheets(handle):
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise FileRefused("The workbook could not be opened: save it again as .xlsx.") from error
    sheets = []
    for worksheet in workbook.worksheets:
        kind = worksheet.title.strip().lower()
        if kind not in BY_SHEET:
            continue
        rows = worksheet.iter_rows(values_only=True)
        header = _header(next(rows, ()))
        numbered = ((number, list(values)) for number, values in enumerate(rows, start=2))
        estimate = max((worksheet.max_row or 1) - 1, 0)
        sheets.append(Sheet(kind, f"{worksheet.title} sheet", header, estimate, numbered))
    if not sheets:
        raise FileRefused(
            f"The workbook has no sheet the import reads: name them {', '.join(BY_SHEET)}."
        )
    return sheets


def as_text(value):
    """A cell as the text a form would receive."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
