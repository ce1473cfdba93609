"""Channel choice per recipient state (PROTOCOL.md section 6), and the values a template carries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.push import Channel, Delivery, Push
from models.wechat_user import WechatUser
from scheduler.channels import build_message, choose_channel, fit, parse_fields
from tests.push.support import NOW, SUB_REMINDER, policy

HOUR = timedelta(hours=1)


def _user(*, subscribed=True, messaged=None, clicked=None, mp=False) -> WechatUser:
    user = WechatUser(id=1, openid="o-1", miniprogram_openid="mp-1" if mp else None,
                      subscribed=subscribed, created_at=NOW)
    if messaged is not None:
        user.record_interaction(NOW - messaged, is_message=True)
    if clicked is not None:
        user.record_interaction(NOW - clicked, is_message=False)
    return user


def _choose(user, *, template=True, subscribe=True, consent=False, refused="", paused=None,
            mass=False):
    push = Push(id=1, key="k" * 32, text="通知", mass=mass, not_before=NOW)
    delivery = Delivery(id=7, refused_channels=refused)
    rules = policy(template=policy().template if template else None,
                   subscribe=SUB_REMINDER if subscribe else None)
    return choose_channel(push, delivery, user, rules, now=NOW, paused=paused or {},
                          has_consent=lambda template_id: consent)


@pytest.mark.parametrize("state, options, expected", [
    # a follower and a template; the template even when the window is open
    ({}, {}, Channel.TEMPLATE),
    ({"messaged": HOUR}, {}, Channel.TEMPLATE),
    # no template: customer-service within 48 h of a message, 1 minute of a click
    ({"messaged": HOUR}, {"template": False}, Channel.CUSTOM),
    ({"messaged": 47 * HOUR}, {"template": False}, Channel.CUSTOM),
    ({"messaged": 49 * HOUR}, {"template": False}, None),
    ({"clicked": timedelta(seconds=30)}, {"template": False}, Channel.CUSTOM),
    ({"clicked": timedelta(minutes=2)}, {"template": False}, None),
    # the mini-program's subscribe message, while a consent is left; also for an unfollower
    ({"mp": True}, {"template": False, "consent": True}, Channel.SUBSCRIBE),
    ({"mp": True}, {"template": False, "consent": False}, None),
    ({"mp": True, "subscribed": False}, {"consent": True}, Channel.SUBSCRIBE),
    ({"mp": True, "subscribed": False}, {"consent": True, "subscribe": False}, None),
    ({"subscribed": False, "messaged": HOUR}, {}, None),
    # customer-service refused earlier (45047): the next channel
    ({"messaged": HOUR, "mp": True}, {"template": False, "refused": "custom", "consent": True},
     Channel.SUBSCRIBE),
])
def test_channel_follows_the_recipients_state(state, options, expected):
    choice = _choose(_user(**state), **options)
    assert choice.channel == expected
    assert choice.unreachable == (expected is None)


def test_a_stopped_channel_is_skipped_and_a_row_with_no_other_waits():
    until = NOW + 10 * HOUR
    paused = {"template": until}
    assert _choose(_user(messaged=HOUR), paused=paused).channel is Channel.CUSTOM
    waiting = _choose(_user(), paused=paused)
    assert (waiting.channel, waiting.wait_until, waiting.unreachable) == (None, until, False)


def test_a_mass_push_goes_out_as_one_mass_send():
    assert _choose(None, mass=True).channel is Channel.MASS
    assert _choose(None, mass=True, paused={"mass": NOW + HOUR}).wait_until == NOW + HOUR
    assert _choose(None).unreachable  # a row with no user


def test_template_values_are_filled_and_cut_to_what_wechat_accepts():
    push = Push(id=3, key="p" * 32, text="2027 年秋季返校日报名开始了，欢迎各位校友携家属参加", mass=False,
                not_before=NOW)
    message = build_message(Channel.TEMPLATE, push, Delivery(id=9), _user(), policy())
    assert message.data == {"thing1": "2027 年秋季返校日报名开始了，欢迎…", "thing2": "示例大学校友会",
                            "time3": "2026-12-01 10:00"}
    assert len(message.data["thing1"]) == 20
    assert message.idempotency_key == "p" * 32 + "-9"
    assert fit("phrase3", "已通过审核") == "已通过审核"
    assert fit("thing1", "第一行\n第二行") == "第一行 第二行"


def test_field_mappings_are_checked():
    assert parse_fields(["thing1={text}", "time3={time}"]) == (("thing1", "{text}"),
                                                              ("time3", "{time}"))
    for bad in (["thing1"], ["thing1={name}"], ["=x"]):
        with pytest.raises(ValueError):
            parse_fields(bad)
