"""The demo's circles: 王磊 (the chat page's bound alumnus) sees his class circle and the approved
羽毛球 circle he is in; a proposal waits on the admin page; seeding twice adds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.directory.demo import DEMO_BOUND
from models import Alumnus, WechatUser
from models.circle import Circle, CircleKind, CircleStatus
from tests.sandbox.support import build_app, close_app, with_sandbox
from tests.wechat import say
from wechat_bot.seed import seed_circles, seed_demo


@pytest.fixture
def demo(config):
    app = build_app(with_sandbox(config))
    runtime = app.extensions["alumni_bot"]
    lines = list(seed_demo(runtime, alumni=300, sandbox=app.extensions["sandbox"]))
    yield app, runtime, lines
    close_app(app)


def test_the_demo_has_class_circles_an_interest_circle_with_members_and_a_proposal(demo):
    app, runtime, lines = demo
    assert any("兴趣圈「羽毛球」" in line and "待审核的申请「摄影」" in line for line in lines), lines
    with runtime.sessions() as session:
        kinds = session.execute(select(Circle.kind, Circle.status, Circle.name)).all()
        assert sum(1 for k, *_ in kinds if k is CircleKind.CLASS) >= 2
        assert (CircleKind.INTEREST, CircleStatus.ACTIVE, "羽毛球") in kinds
        assert (CircleKind.INTEREST, CircleStatus.PENDING, "摄影") in kinds
    with runtime.sessions() as session:
        openid = session.scalar(select(WechatUser.openid).join(Alumnus, Alumnus.wechat_user_id == WechatUser.id)
                                .where(Alumnus.student_id == DEMO_BOUND.student_id))
    answer = say(app.test_client(), runtime.config.wechat.token, openid, "校友圈")
    assert "机械工程学院 2016届（班级圈" in answer and "羽毛球（兴趣圈" in answer
    assert list(seed_circles(runtime, app.extensions["sandbox"])) == []
