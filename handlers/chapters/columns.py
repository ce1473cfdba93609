"""The chapters file's columns (SPEC section 9) as data: the one place their names live.

Headers are Chinese or English, in any order; unknown columns are ignored. Beyond SPEC 9, two
optional columns: 状态 status (正常/停用) and 联络员学号 liaison_student_id, which links a liaison
to their roster record so that, once bound, they are told about new members through WeChat.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.chapter import ChapterKind, ChapterStatus


@dataclass(frozen=True)
class ChapterColumn:
    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False


CHAPTER_COLUMNS: tuple[ChapterColumn, ...] = (
    ChapterColumn("name", "名称", ("分会名称",), required=True),
    ChapterColumn("kind", "类型", ("分会类型",), required=True),
    ChapterColumn("city", "城市"),
    ChapterColumn("country", "国家", ("国家/地区",)),
    ChapterColumn("lat", "纬度", ("latitude",)),
    ChapterColumn("lng", "经度", ("longitude", "lon")),
    ChapterColumn("liaison", "联络员"),
    ChapterColumn("liaison_contact", "联络方式"),
    ChapterColumn("intro", "简介"),
    ChapterColumn("status", "状态"),
    ChapterColumn("liaison_student_id", "联络员学号"),
)

FIELDS: tuple[str, ...] = tuple(c.field for c in CHAPTER_COLUMNS)
REQUIRED: tuple[ChapterColumn, ...] = tuple(c for c in CHAPTER_COLUMNS if c.required)

_HEADERS: dict[str, str] = {}
for _column in CHAPTER_COLUMNS:
    for _name in (_column.header, _column.field, *_column.aliases):
        _HEADERS[_name.lower()] = _column.field


def field_for_header(header: str) -> str | None:
    """The field a header names (BOM, surrounding or full-width spaces and case ignored)."""
    key = (header or "").replace("\ufeff", "").replace("\u3000", " ").strip().lower()
    return _HEADERS.get(key)


# What the 类型 and 状态 cells may say.
KINDS: dict[str, ChapterKind] = {
    "地区": ChapterKind.REGIONAL, "regional": ChapterKind.REGIONAL,
    "海外": ChapterKind.OVERSEAS, "overseas": ChapterKind.OVERSEAS,
    "行业": ChapterKind.INDUSTRY, "industry": ChapterKind.INDUSTRY,
}
KIND_NAMES: dict[str, str] = {ChapterKind.REGIONAL: "地区", ChapterKind.OVERSEAS: "海外",
                              ChapterKind.INDUSTRY: "行业"}
STATUSES: dict[str, ChapterStatus] = {
    "": ChapterStatus.ACTIVE, "正常": ChapterStatus.ACTIVE, "启用": ChapterStatus.ACTIVE,
    "active": ChapterStatus.ACTIVE,
    "停用": ChapterStatus.INACTIVE, "暂停": ChapterStatus.INACTIVE, "inactive": ChapterStatus.INACTIVE,
}
