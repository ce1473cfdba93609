"""The demo's card: the chat page's 王磊 is bound and gets his card in the chat; a demo gate's key
is printed once and verifies his code."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from handlers.card.codes import issue_code
from handlers.card.holder import card_holder
from handlers.card.sites import site_for_key
from handlers.card.verify import judge_code
from handlers.directory.demo import DEMO_BOUND
from models import Alumnus
from tests.card.support import key_of
from tests.sandbox.support import build_app, close_app, with_sandbox
from wechat_bot.seed import seed_card_site, seed_demo


@pytest.fixture
def demo(config):
    app = build_app(with_sandbox(config))
    runtime = app.extensions["alumni_bot"]
    yield runtime, list(seed_demo(runtime, alumni=300, sandbox=app.extensions["sandbox"]))
    close_app(app)


def test_the_demo_prints_a_gate_key_once_that_checks_the_bound_visitors_card(demo):
    runtime, lines = demo
    printed = [line for line in lines if "校友卡核验点「演示闸机」" in line]
    assert len(printed) == 1
    key = re.search(r"(acs_[A-Za-z0-9_-]+)", printed[0]).group(1)
    now = dt.datetime.now(dt.UTC)
    with runtime.sessions() as session:
        assert site_for_key(session, key).name == "演示闸机"
        user_id = session.scalar(select(Alumnus.wechat_user_id).where(
            Alumnus.student_id == DEMO_BOUND.student_id))
        holder = card_holder(session, user_id, runtime.config.app.school_name)
        code = issue_code(key_of(runtime), user_id, holder.stamp, now).code
        verdict = judge_code(session, key_of(runtime), code, now, runtime.config.app.school_name)
    assert verdict.valid and verdict.holder.name == DEMO_BOUND.name
    assert list(seed_card_site(runtime)) == []   # once: the key is never shown again
