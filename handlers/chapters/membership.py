"""Joining a chapter: bound alumni only, once each; the chapter's liaisons are told.

How a liaison is told: when a liaison is linked to a roster record that is bound to a WeChat user
and the door handed in a `notify` (the outbox's queue_push, which lives above this layer), they get
a notification push, created by `chapters:join`; otherwise, and for liaisons who cannot be
reached, a StaffAlert of kind `chapter_join` asks staff to pass it on. Either way the member row
itself is the record: a chapter's members are the audience of its broadcasts
(`chapter_member_users`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from handlers.chapters import texts
from handlers.chapters.discovery import MAX_ID
from handlers.directory.binding import bound_records
from handlers.notices import Notify
from models import Alumnus, StaffAlert, WechatUser
from models.chapter import Chapter, ChapterLiaison, ChapterMember

JOIN_ALERT = "chapter_join"
JOIN_NOTICE_BY = "chapters:join"  # the liaisons' push, as staff see its cause


class JoinOutcome(StrEnum):
    JOINED = "joined"
    ALREADY_MEMBER = "already_member"
    NOT_BOUND = "not_bound"        # only verified alumni join
    NO_SUCH_CHAPTER = "no_such_chapter"  # unknown number, or a chapter that is not active


@dataclass(frozen=True)
class JoinResult:
    outcome: JoinOutcome
    chapter: Chapter | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (JoinOutcome.JOINED, JoinOutcome.ALREADY_MEMBER)


def join_chapter(session: Session, user: WechatUser, chapter_id: int, *, now: datetime,
                 channel: str, notify: Notify | None = None) -> JoinResult:
    """Make the user a member of the chapter. The unique (chapter, user) pair decides between two
    concurrent joins; the loser is told it is already a member."""
    if not 0 < chapter_id <= MAX_ID:
        return JoinResult(JoinOutcome.NO_SUCH_CHAPTER)
    chapter = session.get(Chapter, chapter_id, options=[selectinload(Chapter.liaisons)])
    if chapter is None or not chapter.active:
        return JoinResult(JoinOutcome.NO_SUCH_CHAPTER)
    records = bound_records(session, user)
    if not records:
        return JoinResult(JoinOutcome.NOT_BOUND, chapter)
    if is_member(session, user, chapter.id):
        return JoinResult(JoinOutcome.ALREADY_MEMBER, chapter)
    try:
        with session.begin_nested():
            session.add(ChapterMember(chapter_id=chapter.id, wechat_user_id=user.id, joined_at=now,
                                      channel=channel))
    except IntegrityError:
        return JoinResult(JoinOutcome.ALREADY_MEMBER, chapter)
    _tell_liaisons(session, chapter, records[0], now=now, notify=notify)
    return JoinResult(JoinOutcome.JOINED, chapter)


def is_member(session: Session, user: WechatUser, chapter_id: int) -> bool:
    if not 0 < chapter_id <= MAX_ID:
        return False
    return bool(session.scalar(select(exists().where(
        ChapterMember.chapter_id == chapter_id, ChapterMember.wechat_user_id == user.id))))


def my_chapters(session: Session, user: WechatUser) -> list[Chapter]:
    return list(session.scalars(
        select(Chapter).join(ChapterMember, ChapterMember.chapter_id == Chapter.id)
        .where(ChapterMember.wechat_user_id == user.id).order_by(ChapterMember.joined_at)))


def chapter_member_users(chapter_name: str) -> Select:
    """The WeChat user ids of a chapter's members: the `chapter:NAME` push audience."""
    return (select(ChapterMember.wechat_user_id)
            .join(Chapter, Chapter.id == ChapterMember.chapter_id)
            .where(Chapter.name == chapter_name))


def _tell_liaisons(session: Session, chapter: Chapter, member: Alumnus, *, now: datetime,
                   notify: Notify | None) -> None:
    text = texts.liaison_notice(chapter.name, member.name, member.graduation_year, member.college)
    reachable = _bound_liaison_users(session, chapter.liaisons) if notify is not None else []
    if reachable:
        notify(session, reachable, text, now, created_by=JOIN_NOTICE_BY)
        return
    session.add(StaffAlert(kind=JOIN_ALERT, created_at=now,
                           message=texts.join_alert(chapter.name, chapter.id, text,
                                                    [lia.name for lia in chapter.liaisons])))
    session.flush()


def _bound_liaison_users(session: Session, liaisons: list[ChapterLiaison]) -> list[int]:
    record_ids = [lia.alumnus_id for lia in liaisons if lia.alumnus_id is not None]
    if not record_ids:
        return []
    return sorted(set(session.scalars(
        select(Alumnus.wechat_user_id)
        .where(Alumnus.id.in_(record_ids), Alumnus.wechat_user_id.is_not(None)))))
