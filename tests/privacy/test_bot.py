"""我的数据 and 注销 through the real webhook (signed XML): the summary and its download link, a bad
or expired link, the 注销 dialog (取消 keeps everything, 确认注销 erases), and the person meeting
the bot as a new follower afterwards, free to bind again."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from handlers.privacy.links import export_key, export_token
from models import AuditEntry, WechatUser
from tests.privacy.support import add_people, link_path, record, user_of
from tests.wechat import say


def _say(client, config, openid, text):
    return say(client, config.wechat.token, openid, text)


def test_my_data_replies_with_counts_and_a_link_that_downloads_only_my_data(client, config, runtime):
    add_people(runtime)
    _say(client, config, "o-wang", "修改 城市 杭州")
    _say(client, config, "o-wang", "查找 李雷")
    reply = _say(client, config, "o-wang", "我的数据")
    assert "绑定的学籍：1 条" in reply and "30 分钟内" in reply
    answer = client.get(link_path(reply))
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert "attachment" in answer.headers["Content-Disposition"]
    data = json.loads(answer.data)
    assert data["wechat_user"]["openid"] == "o-wang"
    assert data["records"][0]["phone"] == "13900001111"   # her own
    assert data["records"][0]["my_city"] == "杭州"
    assert any(s["query"] == "李雷" for s in data["searches"])
    body = answer.data.decode()
    assert "13711112222" not in body and "lilei@example.com" not in body   # never a classmate's


def test_a_bad_or_expired_link_gets_a_clear_chinese_page(client, config, runtime):
    ids = add_people(runtime)
    path = link_path(_say(client, config, "o-wang", "我的数据"))
    altered = client.get(path[:-2] + ("AA" if not path.endswith("AA") else "BB"))
    assert altered.status_code == 400 and "链接无效" in altered.data.decode()
    key = export_key(config.app.secret_key)
    old = export_token(key, ids["王芳"], dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), 30)
    expired = client.get(f"/my-data/{old}")
    assert expired.status_code == 410 and "已过期" in expired.data.decode()
    # A link of one person cannot be turned into another's by changing the number.
    forged = client.get(path.replace(f"/my-data/{ids['王芳']}.", f"/my-data/{ids['李雷']}."))
    assert forged.status_code == 400


def test_cancelling_the_erase_dialog_keeps_everything(client, config, runtime):
    add_people(runtime)
    asked = _say(client, config, "o-wang", "注销")
    assert "确认注销" in asked and "不可撤销" in asked
    assert "确认注销" in _say(client, config, "o-wang", "好的")   # anything else: asked again
    assert "已退出" in _say(client, config, "o-wang", "取消")
    assert record(runtime, "2012001").wechat_user_id == user_of(runtime, "o-wang").id
    assert "王芳" in _say(client, config, "o-wang", "我的")


def test_confirming_erases_and_the_next_message_meets_a_new_unbound_follower(client, config, runtime):
    ids = add_people(runtime)
    _say(client, config, "o-wang", "修改 城市 杭州")
    _say(client, config, "o-wang", "隐私 隐藏")
    path = link_path(_say(client, config, "o-wang", "我的数据"))
    _say(client, config, "o-wang", "注销")
    done = _say(client, config, "o-wang", "确认注销")
    assert "已注销" in done and "解除绑定的学籍：1 条" in done
    wang = record(runtime, "2012001")
    assert wang.wechat_user_id is None and wang.profile_city is None and wang.privacy.value == "classmates"
    assert wang.phone == "13900001111"   # the roster record is the school's and stays
    with runtime.sessions() as session:
        old = session.get(WechatUser, ids["王芳"])
        assert old.erased_at is not None and old.openid is None and old.subscribed_at is None
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "account_erased")).one()
        assert "王芳" not in entry.target + entry.detail and "o-wang" not in entry.target + entry.detail
    assert client.get(path).status_code == 404   # the old link opens nothing
    assert "绑定" in _say(client, config, "o-wang", "我的")   # unbound: asked to bind
    assert user_of(runtime, "o-wang").id != ids["王芳"]
    bound = _say(client, config, "o-wang", "绑定 王芳 2012001")
    assert "成功" in bound or "已绑定" in bound, bound
    assert record(runtime, "2012001").wechat_user_id == user_of(runtime, "o-wang").id
