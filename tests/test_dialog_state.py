"""Dialog state lives in Redis with a TTL, so any worker continues a conversation."""

import time
from enum import StrEnum

from handlers.context import Context
from handlers.dialog import Dialog, step
from tests.wechat import say
from wechat_bot.conversation.table import RoutingTable, dialog, keyword


class BindStep(StrEnum):
    NAME = "name"
    STUDENT_ID = "student_id"


def start(ctx: Context) -> str:
    ctx.dialog.start(BIND, BindStep.NAME)
    return "请输入姓名"


def got_name(ctx: Context) -> str:
    ctx.dialog.goto(BindStep.STUDENT_ID, name=ctx.args)
    return f"{ctx.args}，请输入学号"


def got_id(ctx: Context) -> str:
    name = ctx.dialog.data["name"]
    ctx.dialog.end()
    return f"已收到：{name} {ctx.args}"


def fallback(ctx: Context) -> str:
    return "帮助文本"


BIND = Dialog("bind", {BindStep.NAME: step(got_name), BindStep.STUDENT_ID: step(got_id)})
TABLE = RoutingTable(routes=(dialog(BIND, keyword("绑定", to=start)),), fallback=fallback)


def test_a_dialog_continues_across_two_app_instances_sharing_the_store(make_app, config):
    first = make_app(routes=TABLE)
    second = make_app(routes=TABLE)
    # Two "workers" configured alike share one store, as two gunicorn workers share Redis.
    assert say(first.test_client(), config.wechat.token, "o-d", "绑定") == "请输入姓名"
    assert say(second.test_client(), config.wechat.token, "o-d", "张伟") == "张伟，请输入学号"
    assert say(first.test_client(), config.wechat.token, "o-d", "2012010101") == "已收到：张伟 2012010101"


def test_cancel_in_the_middle_of_a_dialog(make_app, config):
    client = make_app(routes=TABLE).test_client()
    say(client, config.wechat.token, "o-c", "绑定")
    assert "已退出" in say(client, config.wechat.token, "o-c", "取消")
    assert say(client, config.wechat.token, "o-c", "张伟") == "帮助文本"


def test_an_abandoned_dialog_expires(make_app, config):
    client = make_app(routes=TABLE, wechat={"dialog_ttl_seconds": 30}).test_client()
    say(client, config.wechat.token, "o-t", "绑定")
    runtime = client.application.extensions["alumni_bot"]
    key = runtime.keys.dialog("o-t")
    assert 0 < runtime.store.ttl(key) <= 30
    runtime.store.pexpire(key, 1)
    time.sleep(0.05)
    assert say(client, config.wechat.token, "o-t", "张伟") == "帮助文本"


def test_dialog_users_do_not_share_state(make_app, config):
    client = make_app(routes=TABLE).test_client()
    say(client, config.wechat.token, "o-a", "绑定")
    assert say(client, config.wechat.token, "o-b", "张伟") == "帮助文本"
    assert say(client, config.wechat.token, "o-a", "李娜") == "李娜，请输入学号"


def test_a_state_saved_in_the_stored_shape_continues(make_app, config):
    client = make_app(routes=TABLE).test_client()
    runtime = client.application.extensions["alumni_bot"]
    runtime.store.set(runtime.keys.dialog("o-s"), '{"name": "bind", "step": "name", "data": {}}', ex=60)
    assert say(client, config.wechat.token, "o-s", "张伟") == "张伟，请输入学号"


def test_an_unreadable_state_is_dropped_politely(make_app, config):
    client = make_app(routes=TABLE).test_client()
    runtime = client.application.extensions["alumni_bot"]
    key = runtime.keys.dialog("o-u")
    for saved in ('{"dialog": "bind"}', "not json", '["bind", "name"]', '{"name": "bind", "step": 2}'):
        runtime.store.set(key, saved, ex=60)
        assert say(client, config.wechat.token, "o-u", "张伟") == "帮助文本"
        assert runtime.store.get(key) is None
