"""The one audience rule (handlers.events.audience.may_join): every part of an event's audience must
hold the alumnus, through any alumni record bound to their WeChat user."""

from __future__ import annotations

import pytest

from handlers.events.audience import label, may_join
from models import WechatUser
from models.chapter import Chapter, ChapterKind, ChapterMember
from tests.events.support import NOW
from tests.reunion.support import add_classmate


@pytest.fixture
def session(runtime):
    with runtime.sessions.begin() as session:
        yield session


def test_each_kind_of_audience_and_their_combination(session):
    cs = add_classmate(session, "o-a", "2012001", "王芳", year=2012, college="计算机学院")
    # A second record (a master's) bound to the same user counts too.
    master = add_classmate(session, None, "2016101", "王芳", year=2016, college="经济学院")
    master.wechat_user_id = cs.wechat_user_id
    follower = WechatUser(openid="o-follower", subscribed=True, created_at=NOW)
    session.add(follower)
    chapter = Chapter(name="南京校友会", kind=ChapterKind.REGIONAL, created_at=NOW, updated_at=NOW)
    session.add(chapter)
    session.flush()
    session.add(ChapterMember(chapter_id=chapter.id, wechat_user_id=cs.wechat_user_id, joined_at=NOW))
    session.flush()
    user = cs.wechat_user_id
    assert may_join(session, "all", follower.id) and not may_join(session, "bound", follower.id)
    assert may_join(session, "bound", user)
    assert may_join(session, "year:2010-2012", user) and may_join(session, "year:2014,2016", user)
    assert not may_join(session, "year:2013", user)
    assert may_join(session, "college:经济学院", user) and not may_join(session, "college:数学学院", user)
    assert may_join(session, f"chapter:{chapter.id}", user) and may_join(session, "chapter:南京校友会", user)
    assert not may_join(session, "chapter:北京校友会", user)
    assert may_join(session, "year:2012&college:计算机学院", user)
    assert may_join(session, "and:bound&chapter:南京校友会", user)
    assert not may_join(session, "year:2012&college:数学学院", user)
    assert not may_join(session, "nonsense:1", user) and not may_join(session, "", user)
    assert label(session, f"year:2010-2015&chapter:{chapter.id}") == "2010–2015 届校友，且南京校友会成员"
