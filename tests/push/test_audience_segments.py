"""The composer's audiences in the outbox: college, city, several years, and any of them ANDed,
each parsed, stored and counted by its one rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models import Alumnus, Chapter, ChapterMember, Delivery
from scheduler.audiences import AudienceError, describe_audience, parse_audience, stored_audience
from scheduler.outbox import count_recipients, queue_push
from tests.admin.support import add_alumnus

NOW = datetime.now(UTC)


@pytest.mark.parametrize("typed, stored, label", [
    ("year:2016", "year:2016", "2016 届校友"),
    ("year:2016,2014", "year:2014,2016", "2014、2016 届校友"),
    ("year:2010-2015", "year:2010-2015", "2010–2015 届校友"),
    ("college:计算机学院", "college:计算机学院", "计算机学院校友"),
    ("city:南京", "city:南京", "在南京的校友"),
    ("year:2016&college:计算机学院", "and:year:2016&college:计算机学院",
     "2016 届校友，且计算机学院校友"),
])
def test_audiences_parse_store_and_label(typed, stored, label):
    assert stored_audience(*parse_audience(typed)) == stored
    assert describe_audience(stored) == label


@pytest.mark.parametrize("typed, refusal", [
    ("year:16", "届别应为四位年份"), ("year:2016-2010", "从小到大"),
    ("all&year:2016", "不能与其他推送对象组合"), ("openids:o1&year:2016", "不能与其他推送对象组合"),
    ("year:2016&", "至少需要两项"), ("college:", "需要参数"),
])
def test_bad_audiences_are_refused_in_chinese(typed, refusal):
    with pytest.raises(AudienceError, match=refusal):
        parse_audience(typed)


def test_segments_count_and_combine_with_and(runtime):
    with runtime.sessions.begin() as session:
        a = add_alumnus(session, "甲", college="计算机学院", year=2016, bound_at=NOW)
        b = add_alumnus(session, "乙", college="化学学院", year=2016, bound_at=NOW)
        c = add_alumnus(session, "丙", college="计算机学院", year=2012, bound_at=NOW)
        add_alumnus(session, "丁", college="计算机学院", year=2016)  # not bound: no one to reach
        a.city, b.city, c.profile_city, c.city = "南京", "南京", "南京", "上海"  # c moved to 南京
        chapter = Chapter(name="南京校友会", kind="地区", city="南京", created_at=NOW, updated_at=NOW)
        session.add(chapter)
        session.flush()
        session.add(ChapterMember(chapter_id=chapter.id, wechat_user_id=a.wechat_user_id,
                                  joined_at=NOW))
        session.flush()
        counts = {spec: count_recipients(session, spec) for spec in (
            "year:2016", "year:2012,2016", "year:2010-2013", "college:计算机学院", "city:南京",
            "city:上海", "year:2016&college:计算机学院", "college:计算机学院&city:南京",
            "chapter:南京&year:2016", "chapter:南京&college:化学学院")}
        assert counts == {"year:2016": 2, "year:2012,2016": 3, "year:2010-2013": 1,
                          "college:计算机学院": 2, "city:南京": 3, "city:上海": 0,
                          "year:2016&college:计算机学院": 1, "college:计算机学院&city:南京": 2,
                          "chapter:南京&year:2016": 1, "chapter:南京&college:化学学院": 0}
        push = queue_push(session, text="x", audience="year:2016&college:计算机学院",
                          kind="broadcast", now=NOW)
        assert push.audience == "and:year:2016&college:计算机学院"
        assert session.scalars(select(Delivery.wechat_user_id)
                               .where(Delivery.push_id == push.id)).all() == [a.wechat_user_id]
        assert queue_push(session, text="x", audience="chapter:南京&year:2016", kind="broadcast",
                          now=NOW).audience == "and:chapter:南京校友会&year:2016"  # resolved
        assert session.scalar(select(Alumnus.id).where(Alumnus.id == c.id))
