"""Changing one chapter from the admin page: its details, its liaisons, its intro.

The details go through the chapters file's own row rules (`importing.parse_row`: the same kinds,
the same coordinate checks, the same gazetteer lookup), so a chapter typed into the form is stored
exactly as the same line in a file would be. Each function flushes and answers what changed, in
Chinese, for the audit log; the door commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.chapters import texts
from handlers.chapters.columns import KIND_NAMES
from handlers.chapters.gazetteer import gazetteer
from handlers.chapters.importing import (
    LiaisonDraft,
    RowError,
    apply_draft,
    liaison_record,
    parse_row,
)
from models.chapter import Chapter, ChapterLiaison, ChapterStatus

# The chapters file's fields the edit form carries, and how the audit log names them.
DETAIL_FIELDS = {"name": "名称", "kind": "类型", "city": "城市", "country": "国家", "lat": "纬度",
                 "lng": "经度", "intro": "简介", "status": "状态"}
STATUS_NAMES = {ChapterStatus.ACTIVE: "正常", ChapterStatus.INACTIVE: "停用"}


def _number(value: float | None) -> str:
    # repr: the shortest text that reads back as the same float, so saving an untouched form
    # keeps the coordinates to the last digit (":g" would round 121.4737 to 121.474).
    return "" if value is None else repr(value)


def chapter_values(chapter: Chapter) -> dict[str, str]:
    """The chapter as the chapters file (and the edit form) writes it: a cell per field."""
    return {
        "name": chapter.name, "kind": str(chapter.kind), "city": chapter.city or "",
        "country": gazetteer().country_name(chapter.country) if chapter.country else "",
        "lat": _number(chapter.latitude), "lng": _number(chapter.longitude),
        "intro": chapter.intro or "", "status": str(chapter.status),
    }


def _shown(values: Mapping[str, str]) -> dict[str, str]:
    """Values as the audit log shows them (类型 地区, not regional)."""
    shown = dict(values)
    shown["kind"] = KIND_NAMES.get(values.get("kind", ""), values.get("kind", ""))
    shown["status"] = STATUS_NAMES.get(values.get("status", ""), values.get("status", ""))
    return shown


def edit_chapter(session: Session, chapter: Chapter, values: Mapping[str, str | None], *,
                 now: datetime) -> list[str]:
    """Check `values` (DETAIL_FIELDS) as an imported row is checked and write them; RowError, with
    nothing written, when they cannot go in. Answers the changes ("城市：苏州 → 南京")."""
    before = chapter_values(chapter)
    cells = {field: (values.get(field) or "").strip() for field in DETAIL_FIELDS}
    moved = (cells["city"], cells["country"]) != (before["city"], before["country"])
    if moved and (cells["lat"], cells["lng"]) == (before["lat"], before["lng"]):
        # The form showed the old place's coordinates; left as they were, they would pin the new
        # city to the old spot. Without them the gazetteer places it, as for a file's row.
        cells["lat"] = cells["lng"] = ""
    draft = parse_row(cells)
    clash = session.scalar(select(Chapter.id).where(Chapter.name == draft.name,
                                                    Chapter.id != chapter.id))
    if clash is not None:
        raise RowError(texts.NAME_TAKEN.format(name=draft.name))
    apply_draft(chapter, draft, now=now)
    session.flush()
    old, new = _shown(before), _shown(chapter_values(chapter))
    return [f"{DETAIL_FIELDS[f]}：{old[f] or '（空）'} → {new[f] or '（空）'}"
            for f in DETAIL_FIELDS if old[f] != new[f]]


def set_intro(session: Session, chapter: Chapter, intro: str, *, now: datetime) -> bool:
    """The one detail a liaison edits for their own chapter; True when it changed."""
    intro = intro.strip() or None
    if intro == chapter.intro:
        return False
    chapter.intro, chapter.updated_at = intro, now
    session.flush()
    return True


def add_liaison(session: Session, chapter: Chapter, name: str, contact: str,
                student_id: str = "", *, now: datetime) -> ChapterLiaison:
    """A liaison after the chapter's others. A student ID must match the name in the roster (the
    file's rule): it links the record, so a bound liaison is told about new members."""
    draft = LiaisonDraft(" ".join(name.split()), contact.strip() or None, student_id.strip() or None)
    if not draft.name:
        raise RowError(texts.LIAISON_NO_NAME)
    record = liaison_record(session, draft)
    position = max((lia.position for lia in chapter.liaisons), default=-1) + 1
    liaison = ChapterLiaison(position=position, name=draft.name, contact=draft.contact,
                             alumnus_id=record)
    chapter.liaisons.append(liaison)
    chapter.updated_at = now
    session.flush()
    return liaison


def find_liaison(chapter: Chapter, liaison_id: int) -> ChapterLiaison | None:
    """One of this chapter's liaisons (an id from another chapter is None, as no id at all)."""
    return next((lia for lia in chapter.liaisons if lia.id == liaison_id), None)


def remove_liaison(session: Session, chapter: Chapter, liaison: ChapterLiaison, *,
                   now: datetime) -> None:
    chapter.liaisons.remove(liaison)  # delete-orphan: the row goes
    chapter.updated_at = now
    session.flush()


def set_liaison_contact(session: Session, liaison: ChapterLiaison, contact: str, *,
                        now: datetime) -> bool:
    """The contact a liaison publishes; True when it changed."""
    contact = contact.strip() or None
    if contact == liaison.contact:
        return False
    liaison.contact = contact
    liaison.chapter.updated_at = now
    session.flush()
    return True


def create_chapter(session: Session, values: Mapping[str, str | None], *,
                   now: datetime) -> Chapter:
    """A new chapter from the form, under the file's row rules; RowError when it cannot go in
    (a name already taken included: the form creates, it does not update as a file does)."""
    draft = parse_row({field: (values.get(field) or "").strip() for field in DETAIL_FIELDS})
    if session.scalar(select(Chapter.id).where(Chapter.name == draft.name)) is not None:
        raise RowError(texts.NAME_TAKEN.format(name=draft.name))
    chapter = Chapter(name=draft.name, created_at=now)
    apply_draft(chapter, draft, now=now)
    session.add(chapter)
    session.flush()
    return chapter
