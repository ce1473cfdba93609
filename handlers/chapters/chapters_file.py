"""Reading the chapters file (SPEC 9) through the roster's file reader: CSV (UTF-8, BOM, GB18030,
UTF-16) or XLSX, one reader for both files.

`handlers.directory.roster_file` maps its header through the roster's columns, so this is a thin
adapter: it reads the header with the same pieces, maps it through the chapters' columns, and hands
the column indices to the reader's `RosterFile`, whose `rows()` does not care which table it reads.
(Once roster_file offers a public "open with these columns", this file shrinks to that call.)
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

from handlers.chapters import texts
from handlers.chapters.columns import CHAPTER_COLUMNS, FIELDS, REQUIRED, field_for_header
from handlers.directory import roster_file
from handlers.directory.roster_file import RosterFile, RosterFileError

_HEADER_OF = {column.field: column.header for column in CHAPTER_COLUMNS}


class ChaptersFileError(RosterFileError):
    """The file cannot be read as a chapters file at all; the message is Chinese."""


def chapter_rows(path: str | os.PathLike[str]) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line number, {field: cell}) for every non-blank data row; the header is line 1."""
    table = open_chapters_file(path)
    for line, cells in table.rows():
        yield line, dict(zip(FIELDS, cells))


def open_chapters_file(path: str | os.PathLike[str]) -> RosterFile:
    path = Path(path)
    try:
        with open(path, "rb") as stream:
            head = stream.read(4)
    except OSError as exc:
        raise ChaptersFileError(f"无法打开文件：{path}（{exc.strerror or exc}）") from exc
    if head.startswith(roster_file._XLS_MAGIC):
        raise ChaptersFileError("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再导入")
    if head.startswith(roster_file._XLSX_MAGIC):
        header = _xlsx_header(path)
        return RosterFile(path, "xlsx", None, ",", _columns(header))
    encoding = roster_file.detect_encoding(path)
    with open(path, encoding=encoding, newline="") as stream:
        first_line = stream.readline()
        delimiter = max(",\t;", key=first_line.count) if first_line.strip() else ","
        stream.seek(0)
        header = roster_file._header(csv.reader(stream, delimiter=delimiter))
    return RosterFile(path, "csv", encoding, delimiter, _columns(header))


def _xlsx_header(path: Path) -> list[str]:
    workbook = roster_file._open_workbook(path)
    try:
        for row in workbook.active.iter_rows(min_row=1, values_only=True):
            if any(cell not in (None, "") for cell in row):
                return [roster_file._cell_text(cell) or "" for cell in row]
        return []
    finally:
        workbook.close()


def _columns(header: list[str]) -> tuple[int | None, ...]:
    if not any(cell.strip() for cell in header):
        raise ChaptersFileError("文件是空的：第一行应为表头（名称、类型、城市……）")
    index: dict[str, int] = {}
    for i, cell in enumerate(header):
        field = field_for_header(cell)
        if field is None:
            continue
        if field in index:
            raise ChaptersFileError(
                f"表头中「{_HEADER_OF[field]}」出现了两次（第 {index[field] + 1} 列和第 {i + 1} 列）")
        index[field] = i
    missing = [c.header for c in REQUIRED if c.field not in index]
    if missing:
        raise ChaptersFileError(texts.FILE_MISSING_COLUMNS.format(columns="、".join(missing)))
    return tuple(index.get(field) for field in FIELDS)
