"""join_chapter as every door uses it: who may join, once, and how the liaisons are told."""

from sqlalchemy import select

from handlers.chapters.membership import (
    JOIN_ALERT,
    JoinOutcome,
    chapter_member_users,
    join_chapter,
    my_chapters,
)
from models import StaffAlert
from models.chapter import Chapter, ChapterLiaison
from tests.chapters.support import NOW, add_alumnus, add_user


def _chapter(session, **fields) -> Chapter:
    chapter = Chapter(name=fields.pop("name", "苏州校友会"), kind="regional", city="苏州", province="江苏",
                      country="CN", latitude=31.3, longitude=120.6, created_at=NOW, updated_at=NOW, **fields)
    session.add(chapter)
    session.flush()
    return chapter


def _member(session, openid="o-m"):
    user = add_user(session, openid)
    add_alumnus(session, f"S-{openid}", "钱多多", 2016, user=user)
    return user


def test_a_bound_liaison_is_notified_and_staff_are_not_bothered(session):
    liaison_user = add_user(session, "o-liaison")
    liaison_record = add_alumnus(session, "L1", "张伟", 2010, user=liaison_user)
    chapter = _chapter(session)
    chapter.liaisons.append(ChapterLiaison(name="张伟", contact="138", alumnus_id=liaison_record.id))
    session.flush()
    sent = []
    result = join_chapter(session, _member(session), chapter.id, now=NOW, channel="api",
                          notify=lambda s, users, text, now, created_by:
                          sent.append((users, text, created_by)))
    assert result.outcome is JoinOutcome.JOINED
    assert sent == [([liaison_user.id], "【苏州校友会】新成员：钱多多（2016届 计算机学院）通过公众号加入了分会。",
                     "chapters:join")]
    assert session.scalars(select(StaffAlert)).all() == []


def test_an_unreachable_liaison_means_a_staff_alert(session):
    chapter = _chapter(session)
    chapter.liaisons.append(ChapterLiaison(name="张伟", contact="138"))   # no roster record linked
    session.flush()
    sent = []
    join_chapter(session, _member(session), chapter.id, now=NOW, channel="bot",
                 notify=lambda *args, **kwargs: sent.append(args))
    assert sent == []
    alert = session.scalars(select(StaffAlert)).one()
    assert alert.kind == JOIN_ALERT and f"分会 #{chapter.id} 的联络员：张伟" in alert.message


def test_an_inactive_chapter_cannot_be_joined(session):
    chapter = _chapter(session, status="inactive")
    result = join_chapter(session, _member(session), chapter.id, now=NOW, channel="bot")
    assert result.outcome is JoinOutcome.NO_SUCH_CHAPTER


def test_members_are_the_chapters_audience(session):
    chapter = _chapter(session)
    other = _chapter(session, name="南京校友会")
    first, second = _member(session, "o-1"), _member(session, "o-2")
    join_chapter(session, first, chapter.id, now=NOW, channel="bot")
    join_chapter(session, second, other.id, now=NOW, channel="bot")
    assert list(session.scalars(chapter_member_users("苏州校友会"))) == [first.id]
    assert [c.name for c in my_chapters(session, second)] == ["南京校友会"]


def test_two_joins_of_one_user_make_one_member(runtime):
    """The unique (chapter, user) pair decides, even when the first check saw no member."""
    from unittest import mock

    with runtime.sessions.begin() as session:
        chapter_id = _chapter(session).id
        user = _member(session)
        join_chapter(session, user, chapter_id, now=NOW, channel="bot")
        with mock.patch("handlers.chapters.membership.is_member", return_value=False):
            again = join_chapter(session, user, chapter_id, now=NOW, channel="api")
        assert again.outcome is JoinOutcome.ALREADY_MEMBER
