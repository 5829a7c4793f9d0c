"""Reading a CSV file into records numbered as RFC 7111 numbers them: the
header is row 1, the first data record row 2, and a record spanning several
lines (a quoted cell with line breaks) is one row. A malformed file (not
UTF-8, a record with more or fewer cells than the header, an unclosed quote)
is a ``LoadError`` naming the file and the line."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from derive.errors import LoadError


@dataclass(frozen=True)
class Record:
    row: int  # RFC 7111 row number (header = 1)
    line: int  # line of the file where the record starts
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    path: Path
    shown: str
    sha256: str
    header: tuple[str, ...]
    records: tuple[Record, ...]

    def column_index(self) -> dict[str, int]:
        return {title: i for i, title in enumerate(self.header)}


def read_table(path: Path, shown: str, *, delimiter: str = ",", encoding: str = "utf-8") -> Table:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(shown, f"cannot be read ({exc.strerror or exc}); check the path") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LoadError(shown, f"is not {encoding} text (byte {data[exc.start]:#04x}); save the "
                        f"table as {encoding} or declare its encoding in the mapping's dialect",
                        line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[Record] = []
    header: tuple[str, ...] | None = None
    start = 1
    try:
        for cells in reader:
            if header is None:
                header = tuple(cells)
            elif cells:  # a blank line is no record
                if len(cells) != len(header):
                    raise LoadError(shown, f"row {len(records) + 2} has {len(cells)} cells but "
                                    f"the header has {len(header)}; fix the quoting or the "
                                    "delimiters of that record", start)
                records.append(Record(len(records) + 2, start, tuple(cells)))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise LoadError(shown, f"malformed CSV ({exc}); check the quotes of that record",
                        start) from None
    if header is None:
        raise LoadError(shown, "is empty; a table needs a header row")
    return Table(path, shown, hashlib.sha256(data).hexdigest(), header, tuple(records))
