"""The bot's chapter commands: 分会 (and its dialog), a location message, 加入分会, 我的班级.

The routing table (wechat_bot/conversation/routes.py) points here; each function takes a Context
and returns the reply text. The rules live in discovery, membership and classes.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select

from handlers.chapters import texts
from handlers.chapters.classes import my_classes
from handlers.chapters.discovery import Discovery, Matched, find_chapters, nearest_chapters
from handlers.chapters.geo import valid_coordinates
from handlers.chapters.membership import JoinOutcome, join_chapter
from handlers.context import Context
from handlers.dialog import LOCATION, Dialog, step
from handlers.directory.binding import NotBound
from handlers.settings import Settings
from models.chapter import Chapter

# A LOCATION report (sent when the user opens the chat) this recent answers 分会 by itself.
FRESH_LOCATION = timedelta(hours=24)


class ChapterStep(StrEnum):
    WHERE = "where"


def find_command(ctx: Context) -> str:
    """`分会 <words>` lists what matches; `分会` alone asks (or uses a fresh reported location)."""
    if not ctx.args:
        return _ask(ctx)
    found = find_chapters(ctx.session, ctx.args)
    if not found.chapters:
        return texts.NOT_FOUND_ONCE.format(query=ctx.args) if found.total == 0 else texts.NO_CHAPTERS
    return _list(found)


def find_menu(ctx: Context) -> str:
    """The CHAPTER_FIND button: a location_select button sends its point along; a click asks."""
    message = ctx.message
    if message.latitude is not None and message.longitude is not None:
        return location_message(ctx)
    return _ask(ctx)


def where_step(ctx: Context) -> str:
    """The dialog's answer: a city, province, country or industry, or a location sent. Nothing
    found, or a point off the map, keeps the question open."""
    if ctx.message.msg_type == LOCATION:
        point = _reported_location(ctx)
        if point is None:
            return texts.LOCATION_UNKNOWN
        ctx.dialog.end()
        return _nearest(ctx, *point)
    found = find_chapters(ctx.session, ctx.args)
    if not found.chapters:
        ctx.dialog.goto(ChapterStep.WHERE, last=ctx.args)
        return texts.NOT_FOUND.format(query=ctx.args)
    ctx.dialog.end()
    return _list(found)


def location_message(ctx: Context) -> str:
    """A location message: the nearest chapters, and the point remembered as the user's last."""
    point = _reported_location(ctx)
    if point is None:
        return texts.LOCATION_UNKNOWN
    return _nearest(ctx, *point)


def join_command(ctx: Context) -> str:
    """`加入分会 <编号>` (or the chapter's exact name)."""
    wanted = ctx.args.strip().lstrip("#").strip()
    if not wanted:
        return texts.JOIN_USAGE
    if wanted.isdigit():
        chapter_id = int(wanted)
    else:
        chapter_id = _chapter_named(ctx, ctx.args.strip())
        if chapter_id is None:
            return texts.NO_SUCH_CHAPTER_NAMED.format(name=ctx.args.strip())
    # A Context that carries the outbox's notifier (filled by the composition root) lets a bound
    # liaison hear of the new member through WeChat; without one they get a staff alert.
    result = join_chapter(ctx.session, ctx.user, chapter_id, now=ctx.now, channel="bot",
                          notify=ctx.notify)
    if result.outcome is JoinOutcome.NO_SUCH_CHAPTER:
        return texts.NO_SUCH_CHAPTER.format(number=wanted)
    if result.outcome is JoinOutcome.NOT_BOUND:
        return texts.JOIN_NOT_BOUND
    if result.outcome is JoinOutcome.ALREADY_MEMBER:
        return texts.ALREADY_MEMBER.format(name=result.chapter.name)
    return texts.JOINED.format(name=result.chapter.name)


def my_class_command(ctx: Context) -> str:
    """`我的班级`: the class ambassador and this year's reunion status, per bound record."""
    settings: Settings = ctx.settings
    today = ctx.now.astimezone(ZoneInfo(settings.timezone)).date()
    try:
        classes = my_classes(ctx.session, ctx.user, today=today,
                             anniversary_years=settings.reunion.anniversary_years)
    except NotBound:
        return texts.CLASS_NOT_BOUND
    return "\n\n".join(texts.class_status(c) for c in classes)


def _ask(ctx: Context) -> str:
    user = ctx.user
    if (user.last_latitude is not None and user.last_longitude is not None
            and user.last_location_at is not None and ctx.now - user.last_location_at <= FRESH_LOCATION):
        found = nearest_chapters(ctx.session, user.last_latitude, user.last_longitude)
        if found.chapters:
            return _list(found, note=texts.LAST_LOCATION, footer=f"{texts.JOIN_HINT}\n{texts.OTHER_CITY_HINT}")
    ctx.dialog.start(CHAPTER_DIALOG, ChapterStep.WHERE)
    return texts.ASK_WHERE


def _reported_location(ctx: Context) -> tuple[float, float] | None:
    """The point the message carries, remembered as the user's last; None when it has none."""
    lat, lng = ctx.message.latitude, ctx.message.longitude
    if lat is None or lng is None or not valid_coordinates(lat, lng):
        return None
    ctx.user.report_location(lat, lng, ctx.now)
    return lat, lng


def _nearest(ctx: Context, lat: float, lng: float) -> str:
    found = nearest_chapters(ctx.session, lat, lng)
    if not found.chapters:
        return texts.NO_CHAPTERS
    return _list(found)


def _list(found: Discovery, *, note: str = "", footer: str = texts.JOIN_HINT) -> str:
    heading = texts.HEADINGS[found.matched.value].format(place=found.understood_as) + note
    return _fit(heading, found, footer)


def _fit(heading: str, found: Discovery, footer: str) -> str:
    """WeChat cuts a passive text reply at 2048 bytes: drop chapters from the end until it fits."""
    chapters = list(found.chapters)
    # "共 N 个" is worth saying of matches; of a nearest-first list it would only count every chapter.
    nearest = found.matched in (Matched.NEAREST, Matched.NEAREST_TO_PLACE)
    while True:
        total = len(chapters) if nearest else found.total
        text = texts.chapter_list(heading, chapters, total, footer=footer)
        if len(text.encode()) <= 2000 or len(chapters) <= 1:
            return text
        chapters.pop()


def _chapter_named(ctx: Context, name: str) -> int | None:
    return ctx.session.scalar(select(Chapter.id).where(Chapter.name == name))


# The routing table lists it with 分会 and the CHAPTER_FIND button, which start it.
CHAPTER_DIALOG = Dialog("chapter", {ChapterStep.WHERE: step(where_step, LOCATION)})
