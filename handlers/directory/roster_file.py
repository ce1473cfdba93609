"""Reading a roster file (SPEC 9): CSV or XLSX, its header mapped through `roster_columns`.

Rows are streamed, one at a time, never held all at once: a school's roster may have a million.
A CSV may be UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8"), GB18030 (Excel's plain "CSV" on a
Chinese Windows; it includes GBK and GB2312) or UTF-16 (Excel's "Unicode text", tab-separated).
The encoding is decided before the first row is read, so a GB18030 character on row 900,000
cannot make a UTF-8 guess fail half-way: the file is decoded once in full to be sure.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from handlers.directory.roster_columns import FIELDS, ROSTER_COLUMNS, field_for_header

_CHUNK = 1 << 20
_XLSX_MAGIC, _XLS_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
_HEADER_OF = {column.field: column.header for column in ROSTER_COLUMNS}

# A row as the importer sees it: the file's line number (the header is line 1) and one value per
# roster field, in FIELDS order; None where the file has no such column or the cell is empty.
Row = tuple[int, tuple[str | None, ...]]


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all; the message is Chinese and says why."""


@dataclass(frozen=True)
class RosterFile:
    path: Path
    kind: str  # "csv" or "xlsx"
    encoding: str | None  # CSV only
    delimiter: str  # CSV only
    columns: tuple[int | None, ...]  # per field in FIELDS, its column index in the file

    def rows(self) -> Iterator[Row]:
        """Every data row after the header; rows with every cell empty are skipped."""
        return self._csv_rows() if self.kind == "csv" else self._xlsx_rows()

    def _picker(self):
        """cells -> one value per field: itemgetter over the row padded to the header's width."""
        width = max(i for i in self.columns if i is not None) + 2
        absent = width - 1  # a cell that is always None: where a field has no column
        get = itemgetter(*(absent if i is None else i for i in self.columns))
        padding = [None] * width

        def pick(cells: list) -> tuple[str | None, ...]:
            if len(cells) < width:
                cells = cells + padding[len(cells) :]
            else:
                cells[absent] = None
            return get(cells)

        return pick

    def _csv_rows(self) -> Iterator[Row]:
        with open(self.path, encoding=self.encoding, newline="") as stream:
            reader = csv.reader(stream, delimiter=self.delimiter)
            _header(reader)
            last, pick = reader.line_num, self._picker()
            multiline = None
            for cells in reader:
                # A quoted cell may hold line breaks: a row starts on the line after the last one.
                line, last = last + 1, reader.line_num
                multiline = (line, last) if last > line else None
                if any(cells):
                    yield line, pick(cells)
        # A quote never closed swallows the rest of the file into one cell of the last row, which
        # would otherwise be reported as that row's missing columns.
        if multiline:
            _refuse_open_quote(self.path, self.encoding, *multiline, RosterFileError)

    def _xlsx_rows(self) -> Iterator[Row]:
        workbook = _open_workbook(self.path)
        try:
            rows = workbook.active.iter_rows(min_row=1, values_only=True)
            header_line = 0
            for header_line, cells in enumerate(rows, start=1):  # noqa: B007 - read after the loop
                if any(cell not in (None, "") for cell in cells):
                    break
            pick = self._picker()
            for line, cells in enumerate(rows, start=header_line + 1):
                texts = [_cell_text(cell) for cell in cells]
                if any(texts):
                    yield line, pick(texts)
        finally:
            workbook.close()


def open_roster(path: str | os.PathLike[str]) -> RosterFile:
    """Open a roster and check its header; raise RosterFileError (in Chinese) if it cannot be used."""
    return open_table(path, _map_header)


def open_table(
    path: str | os.PathLike[str],
    map_header: Callable[[list[str]], tuple[int | None, ...]],
    error: type[RosterFileError] = RosterFileError,
) -> RosterFile:
    """Open any CSV or XLSX table the way a roster is opened (encodings, delimiter, blank rows).

    `map_header` gets the header's cells and returns the column index of each of its fields (or
    raises `error` itself when a column is missing); `rows()` then yields those fields in order.
    The chapters file is read this way.
    """
    path = Path(path)
    try:
        with open(path, "rb") as stream:
            head = stream.read(4)
    except OSError as exc:
        raise error(f"无法打开文件：{path}（{exc.strerror or exc}）") from exc
    if head.startswith(_XLS_MAGIC):
        raise error("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再导入")
    if head.startswith(_XLSX_MAGIC):
        workbook = _open_workbook(path)
        try:
            header = next(
                (row for row in workbook.active.iter_rows(min_row=1, values_only=True)
                 if any(cell not in (None, "") for cell in row)),
                (),
            )  # fmt: skip
        finally:
            workbook.close()
        return RosterFile(
            path, "xlsx", None, ",", map_header([_cell_text(c) or "" for c in header])
        )
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as stream:
        first_line = stream.readline()
        delimiter = max(",\t;", key=first_line.count) if first_line.strip() else ","
        stream.seek(0)
        reader = csv.reader(stream, delimiter=delimiter)
        header = _header(reader)
        if any("\n" in cell or "\r" in cell for cell in header):
            _refuse_open_quote(path, encoding, 1, reader.line_num, error, where="表头")
    return RosterFile(path, "csv", encoding, delimiter, map_header(header))


def estimate_rows(path: str | os.PathLike[str]) -> int:
    """About how many data rows the file holds (for a progress bar): quick, and never exact."""
    path = Path(path)
    with open(path, "rb") as stream:
        if stream.read(4).startswith(_XLSX_MAGIC):
            workbook = _open_workbook(path)
            try:
                return max((workbook.active.max_row or 1) - 1, 0)
            finally:
                workbook.close()
        stream.seek(0)
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(_CHUNK), b""))
    return max(lines - 1, 0)


def detect_encoding(path: Path) -> str:
    """utf-8-sig, utf-16, utf-8 or gb18030: whichever decodes the whole file, in that order."""
    with open(path, "rb") as stream:
        head = stream.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        if _decodes(path, encoding):
            return encoding
    raise RosterFileError("无法识别文件编码：请保存为 UTF-8 或 GB18030（GBK）编码的 CSV，或 .xlsx")


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _refuse_open_quote(path: Path, encoding: str, first: int, last: int,
                       error: type[RosterFileError], where: str | None = None) -> None:
    """Raise `error` when lines first..last (the file's end) hold an odd number of quotes."""
    with open(path, encoding=encoding, newline="") as stream:
        lines = list(itertools.islice(stream, first - 1, last))
    if sum(line.count('"') for line in lines) % 2 == 0:
        return
    raise error(f"{where or f'第 {first} 行'}有一个引号（\"）没有闭合：从第 {first} 行到文件末尾"
                f"（第 {last} 行）都被读成了同一个单元格。请检查这一行的引号后重新导入，"
                "文件中的数据均未写入。")


def _header(reader) -> list[str]:
    """The first non-blank row of a CSV reader: the header."""
    for cells in reader:
        if any(cell.strip() for cell in cells):
            return cells
    return []


def _map_header(header: list[str]) -> tuple[int | None, ...]:
    if not any(cell.strip() for cell in header):
        raise RosterFileError("文件是空的：第一行应为表头（学号、姓名、毕业年份……）")
    index: dict[str, int] = {}
    for i, cell in enumerate(header):
        field = field_for_header(cell)
        if field is None:
            continue  # an unknown column: ignored
        if field in index:
            raise RosterFileError(
                f"表头中「{_HEADER_OF[field]}」出现了两次（第 {index[field] + 1} 列和第 {i + 1} 列）"
            )
        index[field] = i
    missing = [_HEADER_OF[c.field] for c in ROSTER_COLUMNS if c.required and c.field not in index]
    if missing:
        raise RosterFileError(f"文件缺少必需的列：{'、'.join(missing)}")
    return tuple(index.get(field) for field in FIELDS)


def _open_workbook(path: Path):
    from openpyxl import load_workbook  # only XLSX imports need it

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise RosterFileError(f"无法读取 Excel 文件：{path.name}（文件可能已损坏）") from exc


def _cell_text(value) -> str | None:
    """An XLSX cell as the text a CSV would hold: 2012.0 -> "2012", a student ID stays digits."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
