"""Reading a CSV file people upload (exported from a spreadsheet or another tool): UTF-8 with or
without a byte-order mark, comma or semicolon separated (the latter is what Excel writes in
Indonesian and many European locales), a header row naming the columns. Anything odd is a
DomainError saying what to fix, never an exception from the csv module."""

import csv
import io

from django.utils.translation import gettext as _

from tenants.errors import DomainError

MAX_CSV_BYTES = 1024 * 1024


def _refuse(message: str) -> None:
    raise DomainError(message, field_errors={"file": [message]})


def csv_rows_read(
    data: bytes, *, columns: tuple[str, ...], max_rows: int, max_bytes: int = MAX_CSV_BYTES
) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as (line number in the file, {column: stripped text}) for the known
    `columns`; the header (line 1) must name only known columns, case and spaces aside. Blank
    rows are skipped; a missing cell is empty."""
    if len(data) > max_bytes:
        _refuse(_("The file is larger than %(size)d KB.") % {"size": max_bytes // 1024})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _refuse(_("Save the file as CSV UTF-8 (the file is not UTF-8 text)."))
    if "\x00" in text:
        _refuse(_("The file is not a CSV text file (is it a spreadsheet such as .xlsx?)."))
    header_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    # newline=None reads old-Mac CR line ends as well, which the csv module refuses otherwise.
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter, strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        if header is None:
            _refuse(_("The file is empty."))
        header = [cell.strip().lower() for cell in header]
        unknown = [name for name in header if name not in columns]
        if unknown or len(set(header)) != len(header):
            _refuse(
                _("The header row must name the columns %(columns)s (found: %(found)s).")
                % {"columns": ", ".join(columns), "found": ", ".join(header)}
            )
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                _refuse(_("Line %(line)d has more cells than the header row.") % {"line": reader.line_num})
            if len(rows) >= max_rows:
                _refuse(_("At most %(count)d rows per file; split the file.") % {"count": max_rows})
            values = {name: "" for name in columns}
            values.update({name: cell.strip() for name, cell in zip(header, cells, strict=False)})
            rows.append((reader.line_num, values))
    except csv.Error:  # e.g. a cell over the csv module's 128 KB limit, or an unclosed quote
        _refuse(_("The file is not a readable CSV (line %(line)d).") % {"line": reader.line_num})
    if not rows:
        _refuse(_("The file has no rows under its header row."))
    return rows
