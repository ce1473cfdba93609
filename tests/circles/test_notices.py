"""圈通知 through the outbox: a circle admin's notice reaches each other member once, as the text
was typed, leaves out who sent 「退订 校友圈」, and a circle sends at most notices_per_day a day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from handlers.circles.membership import CircleRefused, Refusal
from handlers.circles.notices import post_notice
from handlers.settings import Settings
from models import Delivery
from scheduler.outbox import notify_users
from tests.circles.support import NOW, alumnus, interest_circle, pushes
from tests.wechat import say


def test_a_notice_reaches_every_other_member_once_and_honours_the_circles_opt_out(client, config, runtime):
    with runtime.sessions.begin() as session:
        admin = alumnus(session, "李雷", openid="o-li")
        keen = alumnus(session, "韩梅梅", openid="o-han")
        quiet = alumnus(session, "王芳", openid="o-wang")
        outsider = alumnus(session, "路人")
        circle_id = interest_circle(session, admin, "羽毛球", keen, quiet).id
    assert "已退订「校友圈」" in say(client, config.wechat.token, "o-wang", "退订 校友圈")
    answer = say(client, config.wechat.token, "o-li", f"圈通知 {circle_id} 周六上午九点，体育馆见！")
    assert "圈通知已发给「羽毛球」的 2 位成员" in answer
    with runtime.sessions() as session:
        (push,) = pushes(session, "circles:notice")
        assert push.category == "circles"
        assert push.text.startswith("【校友圈·羽毛球】李雷：周六上午九点，体育馆见！")
        assert "退订 校友圈" in push.text
        reached = session.scalars(select(Delivery.wechat_user_id).where(Delivery.push_id == push.id)).all()
        assert reached == [keen.id]   # not the author, not who opted out, not an outsider
        assert outsider.id not in reached


def test_a_circle_sends_at_most_its_daily_notices(runtime):
    settings = Settings().circles
    with runtime.sessions.begin() as session:
        admin = alumnus(session, "李雷")
        circle_id = interest_circle(session, admin, "羽毛球", alumnus(session, "韩梅梅")).id
        for minute in range(settings.notices_per_day):
            post_notice(session, admin, circle_id, f"第{minute + 1}条", now=NOW + dt.timedelta(minutes=minute),
                        settings=settings, notify=notify_users)
        try:
            post_notice(session, admin, circle_id, "再一条", now=NOW + dt.timedelta(hours=1),
                        settings=settings, notify=notify_users)
            raise AssertionError("the fourth notice of the day went out")
        except CircleRefused as refused:
            assert refused.reason is Refusal.LIMIT and "24 小时内最多发 3 条" in refused.message
            assert "约 23 小时后" in refused.message
        # a day after the first, one more may go
        post_notice(session, admin, circle_id, "第二天", now=NOW + dt.timedelta(hours=24, minutes=1),
                    settings=settings, notify=notify_users)
        assert len(pushes(session, "circles:notice")) == settings.notices_per_day + 1


def test_a_notice_longer_than_allowed_is_refused_with_the_limit(client, config, runtime):
    with runtime.sessions.begin() as session:
        admin = alumnus(session, "李雷", openid="o-li")
        circle_id = interest_circle(session, admin, "羽毛球", alumnus(session, "韩梅梅")).id
    answer = say(client, config.wechat.token, "o-li", f"圈通知 {circle_id} " + "好" * 301)
    assert "圈通知最多 300 个字" in answer
