"""The tag behind the bound alumni's menu follows who is bound, against the sandbox's tags API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from models.alumnus import Alumnus
from models.wechat_user import WechatUser
from scheduler.alumni_tag import find_tag, sync_tag, tag_members
from scheduler.jobs import JobContext, JobSettings, sync_alumni_tag
from tests.push.support import LiveApp, add_user, bind

TAG = "已认证校友"


@pytest.fixture
def live(config):
    app = LiveApp(config)
    yield app
    app.close()


def _members(live) -> set[str]:
    wechat = live.runtime.wechat
    return tag_members(wechat, find_tag(wechat, TAG))


def test_binding_and_unbinding_move_the_tag_on_the_next_run(live):
    with live.runtime.sessions.begin() as session:
        alice, bob, carol = (live.follower(session, name) for name in ("甲", "乙", "丙"))
        bind(session, alice, 2016)
        bob_record = bind(session, bob, 2010)
    wechat = live.runtime.wechat
    first = sync_tag(live.runtime.sessions, wechat, TAG)  # creates the tag on first use
    assert sorted(first.tagged) == sorted([alice.openid, bob.openid]) and first.untagged == []
    assert _members(live) == {alice.openid, bob.openid}

    wechat.tag.tag_user(first.tag_id, [carol.openid])  # someone tagged a visitor by hand
    with live.runtime.sessions.begin() as session:   # and bob unbound
        session.execute(update(Alumnus).where(Alumnus.id == bob_record.id)
                        .values(wechat_user_id=None, bound_at=None))
    second = sync_tag(live.runtime.sessions, wechat, TAG)
    assert second.tag_id == first.tag_id
    assert sorted(second.untagged) == sorted([bob.openid, carol.openid]) and second.tagged == []
    assert _members(live) == {alice.openid}
    third = sync_tag(live.runtime.sessions, wechat, TAG)
    assert (third.tagged, third.untagged, third.failed) == ([], [], {})


def test_many_bound_alumni_are_tagged_fifty_at_a_time_and_a_bad_openid_spoils_nothing(live):
    with live.runtime.sessions.begin() as session:
        followers = [live.follower(session, f"校友{i}", window=False) for i in range(53)]
        for user in followers:
            bind(session, user, 2000)
        ghost = add_user(session, "o-nobody-wechat-knows", now=datetime.now(UTC))
        bind(session, ghost, 2000)
    result = sync_tag(live.runtime.sessions, live.runtime.wechat, TAG)
    assert len(result.tagged) == 53 and result.failed == {ghost.openid: 40003}
    assert _members(live) == {u.openid for u in followers}


def test_the_job_syncs_the_configured_tag_and_skips_unsubscribed_followers(live):
    with live.runtime.sessions.begin() as session:
        stayed, left = live.follower(session, "留下"), live.follower(session, "离开")
        bind(session, stayed, 2016)
        bind(session, left, 2016)
        session.execute(update(WechatUser).where(WechatUser.id == left.id)
                        .values(subscribed=False))
    context = JobContext(sessions=live.runtime.sessions, store=live.runtime.store,
                         settings=JobSettings(alumni_tag=TAG), wechat=live.runtime.wechat)
    assert sync_alumni_tag(context).tagged == [stayed.openid]
    assert _members(live) == {stayed.openid}
