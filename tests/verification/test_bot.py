"""人工审核 through the webhook, as WeChat sends it: offered after three failed 绑定, a dialog whose
photo step takes an image message, the request stored, a second one refused while it is pending."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from models import MessageLog, VerificationRequest, VerificationStatus
from tests.roster import add_alumnus
from tests.wechat import ACCOUNT, post, reply_content, say

PIC = "http://mmbiz.qpic.cn/sandbox/diploma-001/0"


def image_xml(openid: str, pic_url: str = PIC, media_id: str = "media-diploma-1") -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>{int(time.time())}</CreateTime>"
            f"<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[{pic_url}]]></PicUrl>"
            f"<MediaId><![CDATA[{media_id}]]></MediaId><MsgId>{time.time_ns()}</MsgId></xml>")


@pytest.fixture
def roster(runtime):
    with runtime.sessions.begin() as session:
        add_alumnus(session, "2012010101", "张伟", 2012)


def _fail(client, token, openid, times):
    return [say(client, token, openid, f"绑定 张伟 20999999{i:02}") for i in range(times)]


def _requests(runtime) -> list[VerificationRequest]:
    with runtime.sessions() as session:
        return list(session.scalars(select(VerificationRequest)))


def test_before_three_failures_the_keyword_says_what_it_does(client, config, roster):
    token = config.wechat.token
    answer = say(client, token, "o-early", "人工审核")
    assert "人工审核" in answer and "3 次" in answer and "绑定" in answer
    _fail(client, token, "o-early", 2)
    assert "3 次" in say(client, token, "o-early", "人工审核")  # still not offered
    assert "1/6" not in say(client, token, "o-early", "人工核验")


def test_three_failures_offer_review_and_the_dialog_stores_the_request(client, config, runtime,
                                                                       roster):
    token, me = config.wechat.token, "o-forgot"
    first, second, third = _fail(client, token, me, 3)
    assert "人工审核" not in first and "人工审核" not in second
    assert "发送「人工审核」" in third

    assert "1/6" in say(client, token, me, "人工审核")
    assert "2/6" in say(client, token, me, "张 伟")
    assert "四位数字" in say(client, token, me, "十二年")
    assert "3/6" in say(client, token, me, "2012年")
    assert "4/6" in say(client, token, me, "计算机学院")
    assert "5/6" in say(client, token, me, "软件工程（中外合作）")
    assert "6/6" in say(client, token, me, "跳过")
    assert "请发送照片" in say(client, token, me, "没有照片行吗")
    summary = reply_content(post(client, token, image_xml(me)).get_data(as_text=True))
    assert "请核对" in summary and "照片：已附" in summary and "学号：未填写" in summary
    assert "已提交人工审核申请" in say(client, token, me, "确认")

    [stored] = _requests(runtime)
    assert (stored.name, stored.graduation_year, stored.college, stored.major) == \
        ("张 伟", 2012, "计算机学院", "软件工程（中外合作）")
    assert stored.name_key == "张伟" and stored.student_id is None
    assert stored.photo_url == PIC and stored.photo_media_id == "media-diploma-1"
    assert stored.status is VerificationStatus.PENDING and stored.channel == "bot"

    assert "正在核验" in say(client, token, me, "人工审核")  # one open request per user
    assert len(_requests(runtime)) == 1


def test_a_lock_opens_it_too_and_the_student_id_is_kept_masked_in_the_log(client, config,
                                                                           runtime, roster):
    token, me = config.wechat.token, "o-locked"
    replies = _fail(client, token, me, 5)
    assert "暂停绑定" in replies[-1] and "人工审核" in replies[-1]
    assert "人工审核" in say(client, token, me, "绑定")  # the lock's own reply offers it
    for text in ("人工审核", "张伟", "2012", "计算机学院", "软件工程", "S2012-0101"):
        say(client, token, me, text)
    assert "学号：S2012-0101" in say(client, token, me, "跳过")
    assert "已提交" in say(client, token, me, "确认")
    runtime.inbox.flush()
    with runtime.sessions() as session:
        logged = list(session.scalars(select(MessageLog.content)))
    assert logged and not any("2012-0101" in (c or "") for c in logged)
    [stored] = _requests(runtime)
    assert stored.student_id == "S2012-0101" and stored.photo_url is None


def test_a_dialog_can_be_left_and_nothing_is_stored(client, config, runtime, roster):
    token, me = config.wechat.token, "o-leaves"
    _fail(client, token, me, 3)
    say(client, token, me, "人工审核")
    say(client, token, me, "张伟")
    assert "已退出" in say(client, token, me, "取消")
    assert _requests(runtime) == []
