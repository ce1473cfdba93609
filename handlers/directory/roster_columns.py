"""The roster file's columns (SPEC section 9) as data: the one place their names live.

The generator writes its header from this table and the importer reads headers through it, so a
column is renamed or added here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RosterColumn:
    """One roster column: the field it fills, its Chinese header, and whether a row needs it."""

    field: str
    header: str
    required: bool = False


# SPEC order; the generator writes the columns in this order, the importer accepts any order.
ROSTER_COLUMNS: tuple[RosterColumn, ...] = (
    RosterColumn("student_id", "学号", required=True),
    RosterColumn("name", "姓名", required=True),
    RosterColumn("graduation_year", "毕业年份", required=True),
    RosterColumn("gender", "性别"),
    RosterColumn("degree", "学历"),
    RosterColumn("college", "学院"),
    RosterColumn("major", "专业"),
    RosterColumn("class_name", "班级"),
    RosterColumn("entry_year", "入学年份"),
    RosterColumn("phone", "手机"),
    RosterColumn("email", "邮箱"),
    RosterColumn("city", "所在城市"),
    RosterColumn("employer", "工作单位"),
    RosterColumn("industry", "行业"),
)

# The values the 学历 column may hold, lowest first.
DEGREES: tuple[str, ...] = ("本科", "硕士", "博士")

FIELDS: tuple[str, ...] = tuple(column.field for column in ROSTER_COLUMNS)
CHINESE_HEADERS: tuple[str, ...] = tuple(column.header for column in ROSTER_COLUMNS)
REQUIRED_FIELDS: frozenset[str] = frozenset(c.field for c in ROSTER_COLUMNS if c.required)

# Header text -> field, for both the Chinese header and the English field name. English keys are
# lower case; look headers up through `field_for_header`, which normalises before the lookup.
HEADER_TO_FIELD: dict[str, str] = {
    **{column.header: column.field for column in ROSTER_COLUMNS},
    **{column.field: column.field for column in ROSTER_COLUMNS},
}


def field_for_header(header: str) -> str | None:
    """The field a header names, or None for an unknown column (which the importer ignores).

    Spreadsheets add what people don't see: a BOM on the first cell, surrounding or full-width
    spaces, `Student_ID` in another case. Those should not turn a known column into an unknown one.
    """
    key = header.replace("\ufeff", "").replace("\u3000", " ").strip().lower()
    return HEADER_TO_FIELD.get(key)
