"""Importing the chapters file (SPEC 9): check each row, upsert good rows by name, report the rest.

A regional or overseas chapter needs a city; its coordinates come from the file or, when the file
has none, from the gazetteer, and a city the gazetteer does not know without coordinates rejects
the row. The gazetteer's canonical names are stored (New York -> 纽约, 苏州市 -> 苏州), with the
province and country it knows, so discovery compares like with like. The service flushes; the
caller (the CLI command, the admin page) commits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from handlers.chapters import texts
from handlers.chapters.columns import KINDS, STATUSES
from handlers.chapters.gazetteer import CHINA, gazetteer
from handlers.directory.names import name_key
from models import Alumnus
from models.chapter import Chapter, ChapterKind, ChapterLiaison

# Several liaisons share one cell, paired with the contacts cell by position: 张伟、李娜.
_LIST_SEPARATORS = re.compile(r"[、;；,，/|\n]+")
# Hong Kong, Macao and Taiwan are provinces of China in the gazetteer.
_CHINESE_PARTS = {"HK", "MO", "TW"}
NAME_MAX = 64


@dataclass(frozen=True)
class LiaisonDraft:
    name: str
    contact: str | None
    student_id: str | None


@dataclass(frozen=True)
class ChapterDraft:
    """One good row, resolved: what the chapter will hold."""

    name: str
    kind: ChapterKind
    city: str | None
    province: str | None
    country: str | None
    latitude: float | None
    longitude: float | None
    intro: str | None
    status: str
    liaisons: tuple[LiaisonDraft, ...]


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated


class RowError(ValueError):
    """A row that cannot go in; str() is the Chinese reason for the report."""


def import_chapters(session: Session, rows: Iterable[tuple[int, Mapping[str, str | None]]], *,
                    now: datetime) -> ImportReport:
    """Upsert each good row by name; rows are (line number, {field: cell}) as the file reader gives."""
    report = ImportReport()
    first_line: dict[str, int] = {}
    for line, values in rows:
        try:
            draft = parse_row(values)
            if draft.name in first_line:
                raise RowError(texts.ROW_DUPLICATE.format(line=first_line[draft.name]))
            created = save_chapter(session, draft, now=now)
        except RowError as exc:
            report.rejected.append(RejectedRow(line, str(exc)))
            continue
        first_line[draft.name] = line
        if created:
            report.created += 1
        else:
            report.updated += 1
    session.flush()
    return report


def parse_row(values: Mapping[str, str | None]) -> ChapterDraft:
    """Check one row and resolve its place; RowError says what is wrong, in Chinese."""
    def cell(name):
        return (values.get(name) or "").strip()
    name = " ".join(cell("name").split())
    if not name:
        raise RowError(texts.ROW_NO_NAME)
    if len(name) > NAME_MAX:
        raise RowError(texts.ROW_NAME_TOO_LONG.format(limit=NAME_MAX))
    kind_text = cell("kind")
    if not kind_text:
        raise RowError(texts.ROW_NO_KIND)
    kind = KINDS.get(kind_text.lower())
    if kind is None:
        raise RowError(texts.ROW_UNKNOWN_KIND.format(kind=kind_text))
    status = STATUSES.get(cell("status").lower())
    if status is None:
        raise RowError(texts.ROW_UNKNOWN_STATUS.format(status=cell("status")))
    latitude, longitude = _coordinates(cell("lat"), cell("lng"))
    country, province_hint = _country(cell("country"))
    city, province, country, latitude, longitude = _place(
        kind, cell("city"), country, province_hint, latitude, longitude)
    return ChapterDraft(name=name, kind=kind, city=city, province=province, country=country,
                        latitude=latitude, longitude=longitude, intro=cell("intro") or None,
                        status=status,
                        liaisons=_liaisons(cell("liaison"), cell("liaison_contact"),
                                           cell("liaison_student_id")))


def save_chapter(session: Session, draft: ChapterDraft, *, now: datetime) -> bool:
    """Create or update the chapter named `draft.name`; True when it was created. Members stay.

    RowError (before anything is written) when a liaison's student ID does not match their name.
    """
    records = [liaison_record(session, lia) for lia in draft.liaisons]
    chapter = session.scalar(select(Chapter).where(Chapter.name == draft.name)
                             .options(selectinload(Chapter.liaisons)))
    created = chapter is None
    if created:
        chapter = Chapter(name=draft.name, created_at=now)
        session.add(chapter)
    apply_draft(chapter, draft, now=now)
    previous = {} if created else {lia.name: lia.alumnus_id for lia in chapter.liaisons}
    chapter.liaisons = [
        ChapterLiaison(position=i, name=lia.name, contact=lia.contact,
                       alumnus_id=records[i] or previous.get(lia.name))
        for i, lia in enumerate(draft.liaisons)
    ]
    session.flush()
    return created


def apply_draft(chapter: Chapter, draft: ChapterDraft, *, now: datetime) -> None:
    """Give `chapter` the draft's name, kind, place, intro and status (not its liaisons): what an
    imported row and the admin's edit form both write."""
    chapter.name, chapter.kind = draft.name, draft.kind
    chapter.city, chapter.province, chapter.country = draft.city, draft.province, draft.country
    chapter.latitude, chapter.longitude = draft.latitude, draft.longitude
    chapter.intro, chapter.status, chapter.updated_at = draft.intro, draft.status, now


# --- the cells ---------------------------------------------------------------------------------

def _coordinates(lat_text: str, lng_text: str) -> tuple[float | None, float | None]:
    if not lat_text and not lng_text:
        return None, None
    if not lat_text or not lng_text:
        raise RowError(texts.ROW_HALF_COORDINATES)
    latitude = _number(lat_text, texts.ROW_BAD_LATITUDE)
    longitude = _number(lng_text, texts.ROW_BAD_LONGITUDE)
    if not -90 <= latitude <= 90:
        raise RowError(texts.ROW_BAD_LATITUDE.format(value=lat_text))
    if not -180 <= longitude <= 180:
        raise RowError(texts.ROW_BAD_LONGITUDE.format(value=lng_text))
    return latitude, longitude


def _number(text: str, message: str) -> float:
    try:
        value = float(text.replace("，", ".").replace("°", ""))
    except ValueError:
        raise RowError(message.format(value=text)) from None
    if not math.isfinite(value):
        raise RowError(message.format(value=text))
    return value


def _country(text: str) -> tuple[str | None, str | None]:
    """(ISO code, a province it stands for): 香港 -> (CN, 香港)."""
    if not text:
        return None, None
    country = gazetteer().country_named(text)
    if country is None and len(text) == 2:
        country = gazetteer().country(text.upper())   # an ISO code: JP, US (not searchable words)
    if country is None:
        raise RowError(texts.ROW_UNKNOWN_COUNTRY.format(country=text))
    if country.code in _CHINESE_PARTS:
        return CHINA, country.name
    return country.code, None


def _place(kind: ChapterKind, city_text: str, country: str | None, province_hint: str | None,
           latitude: float | None, longitude: float | None):
    """(city, province, country, latitude, longitude) as the chapter will store them."""
    city_text = " ".join(city_text.split())
    if not city_text:
        if kind is not ChapterKind.INDUSTRY:
            raise RowError(texts.ROW_NO_CITY)
        return None, province_hint, country, latitude, longitude
    place = gazetteer().city(city_text, country)
    if place is None:
        if latitude is None and kind is not ChapterKind.INDUSTRY:
            raise RowError(texts.ROW_UNKNOWN_CITY.format(
                city=city_text, where=f"（{gazetteer().country_name(country)}）" if country else ""))
        if country is None and kind is ChapterKind.REGIONAL:
            country = CHINA
        return city_text, province_hint, country, latitude, longitude
    if latitude is None:
        latitude, longitude = place.latitude, place.longitude
    return place.name, place.province or province_hint or None, place.country, latitude, longitude


def _liaisons(names_text: str, contacts_text: str, ids_text: str) -> tuple[LiaisonDraft, ...]:
    names = _split(names_text)
    contacts = _split(contacts_text)
    student_ids = _split(ids_text)
    if len(contacts) > len(names):
        raise RowError(texts.ROW_CONTACTS_WITHOUT_LIAISON)
    if len(student_ids) > len(names):
        raise RowError(texts.ROW_IDS_WITHOUT_LIAISON)
    return tuple(
        LiaisonDraft(name, contacts[i] if i < len(contacts) else None,
                     student_ids[i] if i < len(student_ids) else None)
        for i, name in enumerate(names))


def _split(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(text or "") if part.strip()]


def liaison_record(session: Session, liaison: LiaisonDraft) -> int | None:
    """The liaison's roster record, when the file gives their student ID (it must match the name)."""
    if not liaison.student_id:
        return None
    record = session.scalar(select(Alumnus).where(Alumnus.student_id == liaison.student_id))
    if record is None or record.name_key != name_key(liaison.name):
        raise RowError(texts.ROW_LIAISON_NOT_IN_ROSTER.format(name=liaison.name,
                                                               student_id=liaison.student_id))
    return record.id
