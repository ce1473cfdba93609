"""Finding chapters: by what the alumnus types (a city, province, country, chapter name or an
industry word), or nearest first from a point, with the great-circle distance.

An association has tens to a few hundred chapters, so the active ones are read whole and matched
and ordered here in Python (one query, plus one for member counts); no geographic index is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from handlers.chapters.gazetteer import Place, gazetteer
from handlers.chapters.geo import distance_km
from handlers.chapters.names import place_key
from models.chapter import Chapter, ChapterKind, ChapterMember, ChapterStatus

DEFAULT_LIMIT = 5
MAX_ID = 2**31 - 1   # the id column is a 32-bit integer on PostgreSQL: larger numbers name nothing


class Matched(StrEnum):
    CITY = "city"
    PROVINCE = "province"
    COUNTRY = "country"
    NAME = "name"
    INDUSTRY = "industry"
    NEAREST = "nearest"              # from a point (a location message, the API's lat/lng)
    NEAREST_TO_PLACE = "near_place"  # a known city without a chapter: the chapters nearest to it
    NOTHING = "nothing"


@dataclass(frozen=True)
class LiaisonView:
    name: str
    contact: str | None


@dataclass(frozen=True)
class ChapterView:
    """A chapter as alumni see it: never a liaison's roster phone, only what they agreed to publish."""

    id: int
    name: str
    kind: str
    city: str | None
    province: str | None
    country: str | None
    country_name: str | None
    latitude: float | None
    longitude: float | None
    intro: str | None
    liaisons: tuple[LiaisonView, ...]
    members: int
    distance_km: float | None = None


@dataclass(frozen=True)
class Discovery:
    chapters: list[ChapterView]
    matched: Matched
    total: int                 # all that matched; `chapters` holds the first `limit`
    understood_as: str = ""    # 苏州 / 江苏 / 美国 / the query as typed


def find_chapters(session: Session, query: str, *, limit: int = DEFAULT_LIMIT) -> Discovery:
    """Chapters for what the alumnus typed, in the order city, province, country, name, industry.

    A city the gazetteer knows but no chapter is in (常州) gets the chapters nearest to it instead.
    Several words (江苏 苏州, 美国 纽约) that match nothing together are tried one at a time, the
    last (most specific) first.
    """
    query = " ".join((query or "").split())
    if not place_key(query):
        return Discovery([], Matched.NOTHING, 0, query)
    found = _find(session, query, limit)
    words = query.split(" ")
    if found.matched is Matched.NOTHING and len(words) > 1:
        for word in reversed(words):
            found = _find(session, word, limit)
            if found.matched is not Matched.NOTHING:
                break
    return found


def _find(session: Session, query: str, limit: int) -> Discovery:
    key = place_key(query)
    if not key:
        return Discovery([], Matched.NOTHING, 0, query)
    places_ = gazetteer().places_named(query)
    chapters = _active(session)
    buckets = _match(chapters, query, key, places_)
    seen: set[int] = set()
    ordered: list[Chapter] = []
    matched, understood = Matched.NOTHING, query
    for kind, label, hits in buckets:
        fresh = [c for c in hits if c.id not in seen]
        if fresh and matched is Matched.NOTHING:
            matched, understood = kind, label
        seen.update(c.id for c in fresh)
        ordered += fresh
    if ordered:
        return Discovery(_views(session, ordered[:limit]), matched, len(ordered), understood)
    if places_:
        place = places_[0]
        near = nearest_chapters(session, place.latitude, place.longitude, limit=limit)
        return Discovery(near.chapters, Matched.NEAREST_TO_PLACE if near.chapters else Matched.NOTHING,
                         near.total, place.name)
    return Discovery([], Matched.NOTHING, 0, query)


def nearest_chapters(session: Session, latitude: float, longitude: float, *,
                     limit: int = DEFAULT_LIMIT) -> Discovery:
    """Regional and overseas chapters nearest first, each with its distance from the point."""
    located = [c for c in _active(session) if c.kind != ChapterKind.INDUSTRY and c.located]
    by_distance = sorted(
        ((distance_km(latitude, longitude, c.latitude, c.longitude), c) for c in located),
        key=lambda pair: (pair[0], pair[1].id))
    chosen = by_distance[:limit]
    views = _views(session, [c for _, c in chosen], distances=[d for d, _ in chosen])
    return Discovery(views, Matched.NEAREST if views else Matched.NOTHING, len(located))


def all_chapters(session: Session, *, limit: int | None = None) -> Discovery:
    """Every active chapter, regional first, then overseas, then industry, each by name."""
    order = {ChapterKind.REGIONAL: 0, ChapterKind.OVERSEAS: 1, ChapterKind.INDUSTRY: 2}
    chapters = sorted(_active(session), key=lambda c: (order.get(c.kind, 3), c.name))
    chosen = chapters if limit is None else chapters[:limit]
    return Discovery(_views(session, chosen), Matched.NAME, len(chapters))


def chapter_view(session: Session, chapter_id: int, *, include_inactive: bool = False) -> ChapterView | None:
    chapter = session.get(Chapter, chapter_id) if 0 < chapter_id <= MAX_ID else None
    if chapter is None or (not chapter.active and not include_inactive):
        return None
    return _views(session, [chapter])[0]


def member_counts(session: Session, chapter_ids: list[int]) -> dict[int, int]:
    if not chapter_ids:
        return {}
    rows = session.execute(
        select(ChapterMember.chapter_id, func.count())
        .where(ChapterMember.chapter_id.in_(chapter_ids))
        .group_by(ChapterMember.chapter_id))
    return {chapter_id: count for chapter_id, count in rows}


# --- matching ----------------------------------------------------------------------------------

def _match(chapters: list[Chapter], query: str, key: str, places_: list[Place]):
    gaz = gazetteer()
    placed = [c for c in chapters if c.kind != ChapterKind.INDUSTRY]
    known = {(p.name, p.country) for p in places_}
    city_hits = [c for c in placed
                 if (c.city, c.country) in known or (c.city and place_key(c.city) == key)]
    if places_:
        anchor = places_[0]
        city_hits.sort(key=lambda c: (_distance_to(anchor, c), c.name))
    provinces = gaz.provinces_named(query)
    wanted_provinces = {(p.name, p.country) for p in provinces}
    province_hits = sorted((c for c in placed if (c.province, c.country) in wanted_provinces),
                           key=lambda c: c.name)
    country = gaz.country_named(query)
    country_hits = sorted((c for c in placed if country and c.country == country.code),
                          key=lambda c: (c.province or "", c.city or "", c.name))
    name_hits = sorted((c for c in chapters if key in place_key(c.name)), key=lambda c: c.name)
    industry_hits = sorted(
        (c for c in chapters if c.kind == ChapterKind.INDUSTRY
         and (key in place_key(c.name) or query.lower() in (c.intro or "").lower())),
        key=lambda c: c.name)
    city_label = places_[0].name if places_ else query
    return (
        (Matched.CITY, city_label, city_hits),
        (Matched.PROVINCE, provinces[0].name if provinces else query, province_hits),
        (Matched.COUNTRY, country.name if country else query, country_hits),
        (Matched.INDUSTRY, query, [c for c in name_hits if c.kind == ChapterKind.INDUSTRY]),
        (Matched.NAME, query, name_hits),
        (Matched.INDUSTRY, query, industry_hits),
    )


def _distance_to(place: Place, chapter: Chapter) -> float:
    if not chapter.located:
        return float("inf")
    return distance_km(place.latitude, place.longitude, chapter.latitude, chapter.longitude)


def _active(session: Session) -> list[Chapter]:
    return list(session.scalars(
        select(Chapter).where(Chapter.status == ChapterStatus.ACTIVE)
        .options(selectinload(Chapter.liaisons)).order_by(Chapter.id)))


def _views(session: Session, chapters: list[Chapter],
           distances: list[float] | None = None) -> list[ChapterView]:
    counts = member_counts(session, [c.id for c in chapters])
    gaz = gazetteer()
    return [
        ChapterView(
            id=c.id, name=c.name, kind=c.kind, city=c.city, province=c.province, country=c.country,
            country_name=gaz.country_name(c.country) if c.country else None,
            latitude=c.latitude, longitude=c.longitude, intro=c.intro,
            liaisons=tuple(LiaisonView(lia.name, lia.contact) for lia in c.liaisons),
            members=counts.get(c.id, 0),
            distance_km=distances[i] if distances is not None else None)
        for i, c in enumerate(chapters)
    ]
