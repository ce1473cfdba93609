"""Roster records for tests, with the lookup keys the import would compute."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.directory.names import name_key
from handlers.directory.search_keys import name_search_keys
from models import Alumnus

IMPORTED = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def add_alumnus(session, student_id: str, name: str, year: int, **fields) -> int:
    """Insert one roster record (本科, 计算机学院 软件工程 unless told otherwise); its id."""
    fields.setdefault("degree", "本科")
    fields.setdefault("college", "计算机学院")
    fields.setdefault("major", "软件工程")
    pinyin, initials = name_search_keys(name)
    record = Alumnus(student_id=student_id, name=name, graduation_year=year, name_key=name_key(name),
                     search_pinyin=pinyin, search_initials=initials, imported_at=IMPORTED, **fields)
    session.add(record)
    session.flush()
    return record.id
