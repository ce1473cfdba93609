"""The demo's mentors: several in different industries and cities, and the chat page's 王磊 in an
accepted pair, whose 我的导师 shows the mentor's contact."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.directory.demo import DEMO_BOUND
from handlers.mentors.requests import my_requests
from models import Alumnus, Mentor, RequestStatus, WechatUser
from tests.sandbox.support import build_app, close_app, with_sandbox
from wechat_bot.seed import seed_demo


@pytest.fixture
def demo(config):
    app = build_app(with_sandbox(config))
    runtime = app.extensions["alumni_bot"]
    yield runtime, list(seed_demo(runtime, alumni=300, sandbox=app.extensions["sandbox"]))
    close_app(app)


def test_the_demo_has_mentors_across_industries_and_one_accepted_pair(demo):
    runtime, lines = demo
    assert any("位校友导师" in line for line in lines)
    with runtime.sessions() as session:
        mentors = list(session.scalars(select(Mentor)))
        assert len(mentors) >= 4
        assert len({m.industry for m in mentors}) == len(mentors)
        assert len({m.city for m in mentors}) == len(mentors)
        visitor = session.scalar(select(WechatUser).join(Alumnus, Alumnus.wechat_user_id == WechatUser.id)
                                 .where(Alumnus.student_id == DEMO_BOUND.student_id))
        views = my_requests(session, visitor)
        assert len(views) == 1 and views[0].status is RequestStatus.ACCEPTED
        assert views[0].contact.value == "demo_pm_mentor"
