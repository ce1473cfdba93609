"""Subscribing to a news category (订阅 校友通讯) and announcing a new item: the news categories are
opt-in consent categories, so an alumnus who never asked gets nothing, a subscriber gets exactly one
push per item (however often staff press the button), and 退订 stops it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from models import (
    Alumnus,
    AuditEntry,
    Delivery,
    Publication,
    Push,
    PushOptOut,
    StaffRole,
    WechatUser,
)
from scheduler.outbox import count_recipients
from tests.admin.support import add_account, add_alumnus, csrf_token, login
from tests.news.support import add_items
from tests.wechat import say

NOW = datetime.now(UTC)


def _announce(client, item: int):
    token = csrf_token(client.get("/admin/publications/").text)
    return client.post(f"/admin/publications/{item}/announce", data={"csrf_token": token})


def _deliveries(runtime) -> list[tuple[int, str]]:
    with runtime.sessions() as session:
        return session.execute(select(Delivery.wechat_user_id, Push.category)
                               .join(Push, Push.id == Delivery.push_id)
                               .order_by(Delivery.id)).all()


def _openid(runtime, alumnus_id: int) -> tuple[int, str]:
    with runtime.sessions() as session:
        user = session.get(WechatUser, session.get(Alumnus, alumnus_id).wechat_user_id)
        return user.id, user.openid


def test_订阅_a_news_category_and_退订_it_through_the_bot(app, runtime):
    client, token = app.test_client(), runtime.config.wechat.token
    listed = say(client, token, "o-reader", "订阅")
    assert "校友通讯（新一期校友通讯）：未订阅" in listed and "活动（校友活动的报名与提醒）：接收中" in listed
    assert "已订阅「校友通讯」" in say(client, token, "o-reader", "订阅 校友通讯")
    assert "您已订阅「校友通讯」" in say(client, token, "o-reader", "订阅校友通讯")
    assert "校友通讯（新一期校友通讯）：接收中" in say(client, token, "o-reader", "订阅")
    with runtime.sessions() as session:
        row = session.scalars(select(PushOptOut)).one()
        assert (row.category, row.opted_out, row.channel) == ("news-letter", False, "bot")
    assert "已取消订阅「校友通讯」" in say(client, token, "o-reader", "退订 校友通讯")
    assert "您没有订阅「校报」" in say(client, token, "o-reader", "退订 校报")
    with runtime.sessions() as session:
        assert session.scalars(select(PushOptOut.opted_out)).all() == [True]


def test_an_announced_item_reaches_only_its_subscribers_once(app, runtime, admin_client):
    with runtime.sessions.begin() as session:
        reader = add_alumnus(session, "读者", bound_at=NOW).id
        other = add_alumnus(session, "路人", bound_at=NOW).id
        quitter = add_alumnus(session, "退订者", bound_at=NOW).id
    (reader_id, reader_openid), (_, other_openid), (quitter_id, quitter_openid) = (
        _openid(runtime, a) for a in (reader, other, quitter))
    bot, token = app.test_client(), runtime.config.wechat.token
    say(bot, token, reader_openid, "订阅 校友通讯")
    say(bot, token, quitter_openid, "订阅 校友通讯")
    say(bot, token, quitter_openid, "退订 校友通讯")
    say(bot, token, other_openid, "订阅 校报")  # another news category
    [item] = add_items(runtime, "校友通讯", 1, title="校友通讯 2026 冬季号")

    page = admin_client.get("/admin/publications/?category=校友通讯").text
    assert "订阅者 1 人" in page and "推送给订阅者" in page
    answer = _announce(admin_client, item)
    assert answer.status_code == 302
    assert "已推送《校友通讯 2026 冬季号》给 1 位校友通讯订阅者" in admin_client.get(answer.headers["Location"]).text
    assert _deliveries(runtime) == [(reader_id, "news-letter")]
    with runtime.sessions() as session:
        push = session.scalars(select(Push)).one()
        assert push.custom_message["news"]["articles"][0]["title"] == "校友通讯 2026 冬季号"
        assert "发送「退订 校友通讯」可取消" in push.text and not push.mass
        assert session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "publication_announced")).one().endswith("校友通讯订阅者 1 人")

    again = _announce(admin_client, item)
    assert "每条只推送一次" in admin_client.get(again.headers["Location"]).text
    assert _deliveries(runtime) == [(reader_id, "news-letter")]  # still one push per item
    assert quitter_id not in [user for user, _ in _deliveries(runtime)]


def test_an_item_nobody_subscribed_to_is_announced_to_nobody(admin_client, runtime):
    with runtime.sessions.begin() as session:
        add_alumnus(session, "甲", bound_at=NOW)
    [item] = add_items(runtime, "校史", 1)
    _announce(admin_client, item)
    with runtime.sessions() as session:
        assert session.scalars(select(Push.recipient_count)).one() == 0
    assert _deliveries(runtime) == []


def test_a_hidden_item_cannot_be_announced(admin_client, runtime):
    [item] = add_items(runtime, "校报", 1, hidden=True)
    answer = _announce(admin_client, item)
    assert "已隐藏的条目不能推送" in admin_client.get(answer.headers["Location"]).text
    with runtime.sessions() as session:
        assert session.scalars(select(Push)).all() == []


def test_announcing_wants_the_csrf_token_and_an_editor(app, runtime, admin_client):
    [item] = add_items(runtime, "校报", 1)
    assert admin_client.post(f"/admin/publications/{item}/announce").status_code in (302, 400)
    with runtime.sessions.begin() as session:
        add_alumnus(session, college="计算机学院")
    add_account(runtime, "计院", StaffRole.COLLEGE, college="计算机学院")
    college = app.test_client()
    login(college, "计院")
    token = csrf_token(college.get("/admin/password").text)
    assert college.post(f"/admin/publications/{item}/announce",
                        data={"csrf_token": token}).status_code == 403
    with runtime.sessions() as session:
        assert session.scalars(select(Push)).all() == []
        assert session.get(Publication, item).announced_at is None


def test_the_mini_program_subscribes_to_a_news_category_and_the_consent_page_counts_it(live):
    token = live.login(live.person())
    before = {i["category"]: i for i in live.call("GET", "/me/consents", token).json()["items"]}
    assert before["news-letter"]["subscribed"] is False and before["news-letter"]["opt_in"] is True
    assert before["events"]["subscribed"] is True and before["events"]["opt_in"] is False
    changed = live.call("PUT", "/me/consents", token,
                        json={"items": [{"category": "news-letter", "subscribed": True}]})
    after = {i["category"]: i for i in changed.json()["items"]}
    assert after["news-letter"]["subscribed"] is True and after["news-letter"]["channel"] == "api"
    with live.runtime.sessions() as session:
        everyone = "users:" + ",".join(str(i) for i in session.scalars(select(WechatUser.id)))
        assert count_recipients(session, everyone, "news-letter") == 1
        assert count_recipients(session, everyone, "news-paper") == 0

    add_account(live.runtime, "boss", StaffRole.ADMIN)
    staff = live.app.test_client()
    login(staff, "boss")
    page = staff.get("/admin/consent/").text
    assert re.search(r'id="subscribers-news-letter">1<', page)
    assert re.search(r'id="subscribers-news-paper">0<', page)
