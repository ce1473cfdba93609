"""`我的返校码` through the webhook: on the visit day a QR image uploaded as temporary media (the
sandbox keeps it), before it or without a booking a text saying when and how."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from handlers.reunion.pass_bot import qr_png
from handlers.reunion.passes import issue_day_code, pass_key
from models.reunion import BookingStatus
from tests.reunion.support import add_booking, add_classmate
from tests.sandbox.support import LiveServer
from tests.wechat import post, say, text_xml
from wechat_bot.sandbox.api.media import media_content

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def book(runtime, day: dt.date, status=BookingStatus.APPROVED) -> tuple[int, int]:
    with runtime.sessions.begin() as session:
        contact = add_classmate(session, "o-bot-pass", "2016010101", "李雷", year=day.year - 10)
        booking = add_booking(session, contact, day=day, status=status)
        return booking.id, booking.members[0].id


def test_on_the_visit_day_the_pass_is_a_qr_image_the_sandbox_holds(server):
    _, member_id = book(server.runtime, today())
    client = server.app.test_client()
    token = server.runtime.config.wechat.token
    response = post(client, token, text_xml("o-bot-pass", "我的返校码"))
    xml = response.get_data(as_text=True)
    assert "<MsgType><![CDATA[image]]></MsgType>" in xml
    media_id = re.search(r"<MediaId><!\[CDATA\[(.+?)\]\]></MediaId>", xml).group(1)
    data, mimetype = media_content(server.sandbox, media_id)
    assert mimetype == "image/png"
    # The picture is the QR of the member's day code: the scanner will read that code.
    code = issue_day_code(pass_key(server.runtime.config.app.secret_key), member_id, today(), ZONE).code
    assert data == qr_png(code)


def test_before_the_visit_day_the_reply_says_when_the_pass_becomes_usable(server):
    day = today() + dt.timedelta(days=9)
    booking_id, _ = book(server.runtime, day)
    answer = say(server.app.test_client(), server.runtime.config.wechat.token, "o-bot-pass", "我的返校码")
    assert f"编号 {booking_id}" in answer and f"{day:%Y-%m-%d}" in answer and "当天" in answer


def test_on_the_day_a_booking_not_approved_is_told_why_not_given_a_code(server):
    book(server.runtime, today(), status=BookingStatus.PENDING)
    answer = say(server.app.test_client(), server.runtime.config.wechat.token, "o-bot-pass", "返校码")
    assert "尚未获批（等待学院确认）" in answer and "「我的预约」" in answer


def test_without_a_booking_the_reply_says_how_to_join(server):
    with server.runtime.sessions.begin() as session:
        add_classmate(session, "o-bot-nobody", "2016010109", "王小明")
    answer = say(server.app.test_client(), server.runtime.config.wechat.token, "o-bot-nobody", "我的返校码")
    assert "「加入返校 编号」" in answer


def test_a_stranger_is_told_to_bind_first(server):
    answer = say(server.app.test_client(), server.runtime.config.wechat.token, "o-stranger", "我的返校码")
    assert "绑定" in answer


def test_when_wechat_refuses_the_upload_the_code_comes_as_text_to_type(make_app):
    from tests.sandbox.support import DEAD_URL

    app = make_app(wechat={"api_base_url": DEAD_URL})   # nothing listens: the upload fails
    runtime = app.extensions["alumni_bot"]
    _, member_id = book(runtime, today())
    answer = say(app.test_client(), runtime.config.wechat.token, "o-bot-pass", "我的返校码")
    code = issue_day_code(pass_key(runtime.config.app.secret_key), member_id, today(), ZONE).code
    assert "图片暂时无法发送" in answer and answer.endswith(code)
