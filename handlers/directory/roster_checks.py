"""Checking one roster row: what it must hold, what each value may be, and every reason it
cannot go in, in Chinese for staff ("缺少学号", "毕业年份 1850 不合理").

A good row becomes the staging tuple (line, the roster fields in ROSTER_FIELDS order, then its
search keys); a bad one a RejectedRow. Called once per line of a file of a million: kept lean.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from handlers.directory.names import name_key
from handlers.directory.roster_columns import DEGREES, ROSTER_COLUMNS
from handlers.directory.search_keys import name_search_keys
from models.alumnus import ROSTER_FIELDS, Alumnus

FIRST_YEAR = 1900
YEARS_AHEAD = 6  # a student enrolled now may graduate in up to six years (a doctorate)

_HEADER = {column.field: column.header for column in ROSTER_COLUMNS}
_LENGTHS = {c.name: c.type.length for c in Alumnus.__table__.columns
            if getattr(c.type, "length", None)}  # fmt: skip
_DEGREE_ALIASES = {"bachelor": "本科", "学士": "本科", "master": "硕士", "doctor": "博士",
                   "phd": "博士", "ph.d.": "博士", "doctorate": "博士"}  # fmt: skip
# (position in a row, longest allowed, header) for every text column: the database's own limits.
_LIMITS = tuple((i, _LENGTHS[f], _HEADER[f]) for i, f in enumerate(ROSTER_FIELDS)
                if f in _LENGTHS)  # fmt: skip


@dataclass
class RejectedRow:
    line: int  # the file's line number; the header is line 1
    reason: str  # Chinese, for staff: "缺少学号", "毕业年份 1850 不合理"
    column: str = ""  # the header(s) at fault, "、"-joined: the admin page's column column


def check_row(line: int, values: tuple[str | None, ...], last_year: int) -> tuple | RejectedRow:
    """A staging row (line, the roster fields in ROSTER_FIELDS order, name_key, pinyin, initials),
    or every reason the row cannot go in, joined by "；". Called a million times: kept lean."""
    row = [value.strip() or None if value else None for value in values]
    student_id, name, graduation, degree, entry = row[0], row[1], row[2], row[4], row[8]
    problems: list[tuple[str, str]] = []  # (the column's header, what is wrong with it)
    if student_id is None:
        problems.append(("学号", "缺少学号"))
    else:
        if not student_id.isascii():
            student_id = row[0] = unicodedata.normalize("NFKC", student_id)
        if len(student_id.split()) > 1:
            problems.append(("学号", f"学号「{student_id}」中有空格"))
    keys = _name_keys(name) if name else None
    if name is None:
        problems.append(("姓名", "缺少姓名"))
    elif not keys[0]:
        problems.append(("姓名", f"姓名「{name}」无效"))
    graduation_year = row[2] = _year(graduation, "毕业年份", last_year, problems)
    if entry is not None:
        entry_year = row[8] = _year(entry, "入学年份", last_year, problems)
        if graduation_year and entry_year and entry_year > graduation_year:
            problems.append(("入学年份", f"入学年份 {entry_year} 晚于毕业年份 {graduation_year}"))
    if degree is not None and degree not in DEGREES:
        degree = row[4] = _DEGREE_ALIASES.get(degree.lower(), degree)
        if degree not in DEGREES:
            problems.append(("学历", f"学历「{degree}」应为 {'、'.join(DEGREES)} 之一"))
    for i, limit, header in _LIMITS:
        value = row[i]
        if value is not None and len(value) > limit:
            problems.append((header, f"{header}过长（最多 {limit} 个字符）"))
    if problems:
        return RejectedRow(line, "；".join(reason for _, reason in problems),
                           "、".join(dict.fromkeys(header for header, _ in problems)))
    return (line, *row, *keys)


def _name_keys(name: str) -> tuple[str, str, str]:
    """(name_key, full pinyin, initials). name_search_keys caches by name; name_key is cheap."""
    return (name_key(name), *name_search_keys(name))


def _year(text: str | None, label: str, last_year: int,
          problems: list[tuple[str, str]]) -> int | None:
    if text is None:
        problems.append((label, f"缺少{label}"))
        return None
    if not (len(text) == 4 and text.isdigit()):
        digits = unicodedata.normalize("NFKC", text).removesuffix("年").strip()
        digits = digits.removesuffix(".0")  # a spreadsheet's number saved as 2012.0
        if not (len(digits) == 4 and digits.isdigit()):
            problems.append((label, f"{label}「{text}」不是四位数的年份"))
            return None
        text = digits
    year = int(text)
    if not FIRST_YEAR <= year <= last_year:
        problems.append((label, f"{label} {year} 不合理"))
        return None
    return year
