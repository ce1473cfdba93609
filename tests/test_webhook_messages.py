"""Every message and event type of PROTOCOL.md section 4 gets valid reply XML or `success`."""

import pytest
from sqlalchemy import select

from models import MessageLog, WechatUser
from tests.wechat import click_xml, event_xml, post, reply_content, text_xml
from wechat_bot.webhook.xml import parse_xml

HEAD = ("<ToUserName><![CDATA[gh_alumnidemo01]]></ToUserName><FromUserName><![CDATA[o-every]]></FromUserName>"
        "<CreateTime>1700000100</CreateTime>")

MESSAGES = {
    "text": "<MsgType>text</MsgType><Content>你好</Content><MsgId>1</MsgId>",
    "image": "<MsgType>image</MsgType><PicUrl>http://x/p.jpg</PicUrl><MediaId>m</MediaId><MsgId>2</MsgId>",
    "voice": "<MsgType>voice</MsgType><MediaId>m</MediaId><Format>amr</Format><MsgId>3</MsgId>",
    "voice-recognised": ("<MsgType>voice</MsgType><MediaId>m</MediaId><Format>amr</Format>"
                         "<Recognition>帮助</Recognition><MsgId>4</MsgId>"),
    "video": "<MsgType>video</MsgType><MediaId>m</MediaId><ThumbMediaId>t</ThumbMediaId><MsgId>5</MsgId>",
    "shortvideo": "<MsgType>shortvideo</MsgType><MediaId>m</MediaId><ThumbMediaId>t</ThumbMediaId><MsgId>6</MsgId>",
    "location": ("<MsgType>location</MsgType><Location_X>31.23</Location_X><Location_Y>121.47</Location_Y>"
                 "<Scale>15</Scale><Label>上海</Label><MsgId>7</MsgId>"),
    "link": "<MsgType>link</MsgType><Title>t</Title><Description>d</Description><Url>http://x</Url><MsgId>8</MsgId>",
    "unknown-message": "<MsgType>miniprogrampage</MsgType><Title>t</Title><MsgId>9</MsgId>",
}

EVENTS = {
    "subscribe": "<Event>subscribe</Event>",
    "subscribe-qr": "<Event>subscribe</Event><EventKey>qrscene_checkin:3</EventKey><Ticket>t</Ticket>",
    "unsubscribe": "<Event>unsubscribe</Event>",
    "SCAN": "<Event>SCAN</Event><EventKey>checkin:3</EventKey><Ticket>t</Ticket>",
    "LOCATION": "<Event>LOCATION</Event><Latitude>31.2</Latitude><Longitude>121.4</Longitude><Precision>65</Precision>",
    "CLICK": "<Event>CLICK</Event><EventKey>HELP</EventKey>",
    "CLICK-unknown": "<Event>CLICK</Event><EventKey>NO_SUCH_KEY</EventKey>",
    "VIEW": "<Event>VIEW</Event><EventKey>https://example.edu</EventKey><MenuId>1</MenuId>",
    "view_miniprogram": "<Event>view_miniprogram</Event><EventKey>pages/index</EventKey><MenuId>1</MenuId>",
    "scancode_push": ("<Event>scancode_push</Event><EventKey>SCAN_KEY</EventKey><ScanCodeInfo>"
                      "<ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo>"),
    "scancode_waitmsg": ("<Event>scancode_waitmsg</Event><EventKey>SCAN_KEY</EventKey><ScanCodeInfo>"
                         "<ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo>"),
    "pic_sysphoto": ("<Event>pic_sysphoto</Event><EventKey>P</EventKey><SendPicsInfo><Count>2</Count>"
                     "<PicList><item><PicMd5Sum>a</PicMd5Sum></item><item><PicMd5Sum>b</PicMd5Sum></item>"
                     "</PicList></SendPicsInfo>"),
    "pic_photo_or_album": "<Event>pic_photo_or_album</Event><EventKey>P</EventKey><SendPicsInfo><Count>0</Count></SendPicsInfo>",
    "pic_weixin": "<Event>pic_weixin</Event><EventKey>P</EventKey><SendPicsInfo><Count>0</Count></SendPicsInfo>",
    "location_select": ("<Event>location_select</Event><EventKey>L</EventKey><SendLocationInfo>"
                        "<Location_X>23.1</Location_X><Location_Y>113.3</Location_Y><Scale>15</Scale>"
                        "<Label>广州</Label><Poiname></Poiname></SendLocationInfo>"),
    "TEMPLATESENDJOBFINISH": "<Event>TEMPLATESENDJOBFINISH</Event><MsgID>200163836</MsgID><Status>success</Status>",
    "MASSSENDJOBFINISH": ("<Event>MASSSENDJOBFINISH</Event><MsgID>1988</MsgID><Status>sendsuccess</Status>"
                          "<TotalCount>100</TotalCount><FilterCount>80</FilterCount><SentCount>75</SentCount>"
                          "<ErrorCount>5</ErrorCount>"),
    "subscribe_msg_popup_event": ("<Event>subscribe_msg_popup_event</Event><SubscribeMsgPopupEvent><List>"
                                  "<TemplateId>T</TemplateId><SubscribeStatusString>accept</SubscribeStatusString>"
                                  "<PopupScene>2</PopupScene></List></SubscribeMsgPopupEvent>"),
    "unknown-event": "<Event>kf_create_session</Event><KfAccount>k</KfAccount>",
}

VALID_TYPES = {"text", "image", "voice", "video", "music", "news"}


def _assert_valid_reply(response) -> str:
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    if body == "success":
        return body
    fields = parse_xml(body.encode())
    assert fields["ToUserName"] == "o-every"
    assert fields["FromUserName"] == "gh_alumnidemo01"
    assert fields["MsgType"] in VALID_TYPES
    if fields["MsgType"] == "news":
        assert 1 <= int(fields["ArticleCount"]) <= 8
    return body


@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_every_message_type_gets_valid_reply_xml(client, config, kind):
    body = _assert_valid_reply(post(client, config.wechat.token, f"<xml>{HEAD}{MESSAGES[kind]}</xml>"))
    assert body != "success"  # a user who wrote to us always hears back


@pytest.mark.parametrize("kind", sorted(EVENTS))
def test_every_event_type_gets_valid_reply_xml_or_success(client, config, kind):
    _assert_valid_reply(post(client, config.wechat.token, f"<xml>{HEAD}<MsgType>event</MsgType>{EVENTS[kind]}</xml>"))


def test_recognised_voice_is_treated_like_typed_text(client, config):
    response = post(client, config.wechat.token, f"<xml>{HEAD}{MESSAGES['voice-recognised']}</xml>")
    assert "可用指令" in reply_content(response.get_data(as_text=True))
    assert "没有听懂" not in reply_content(response.get_data(as_text=True))


def test_subscribe_welcomes_and_explains_binding(client, config, runtime):
    response = post(client, config.wechat.token, event_xml("o-new", "subscribe"))
    text = reply_content(response.get_data(as_text=True))
    assert "欢迎关注" in text and "绑定 姓名 学号" in text
    with runtime.sessions() as session:
        user = session.scalars(select(WechatUser).where(WechatUser.openid == "o-new")).one()
        assert user.subscribed and user.subscribed_at is not None


def test_unsubscribe_marks_the_user_and_sends_nothing(client, config, runtime):
    post(client, config.wechat.token, event_xml("o-leaving", "subscribe", create_time=1700000000))
    response = post(client, config.wechat.token, event_xml("o-leaving", "unsubscribe", create_time=1700000050))
    assert response.get_data(as_text=True) == "success"
    with runtime.sessions() as session:
        user = session.scalars(select(WechatUser).where(WechatUser.openid == "o-leaving")).one()
        assert not user.subscribed and user.unsubscribed_at is not None


def test_location_report_is_stored_silently(client, config, runtime):
    extra = "<Latitude>39.9042</Latitude><Longitude>116.4074</Longitude><Precision>30</Precision>"
    response = post(client, config.wechat.token, event_xml("o-beijing", "LOCATION", extra))
    assert response.get_data(as_text=True) == "success"
    with runtime.sessions() as session:
        user = session.scalars(select(WechatUser).where(WechatUser.openid == "o-beijing")).one()
        assert (user.last_latitude, user.last_longitude) == (39.9042, 116.4074)


def test_help_click_lists_commands(client, config):
    response = post(client, config.wechat.token, click_xml("o-menu", "HELP"))
    assert "可用指令" in reply_content(response.get_data(as_text=True))


def test_help_lists_every_spec_command_and_none_is_still_coming(client, config):
    text = reply_content(post(client, config.wechat.token, text_xml("o-h", "帮助")).get_data(as_text=True))
    for usage in ["绑定 姓名 学号", "解绑", "我的", "隐私 公开/同学/隐藏", "查找", "返校", "预约返校",
                  "我的预约", "活动", "报名", "我的活动", "分会", "新闻", "校友卡", "校友圈", "导师",
                  "我的数据 · 注销", "取消", "帮助"]:
        assert usage in text
    assert "即将开放" not in text  # 我的数据 and 注销 were the last; every command now answers


def test_a_user_message_opens_the_customer_service_window(client, config, runtime):
    post(client, config.wechat.token, text_xml("o-window", "你好"))
    runtime.inbox.flush()
    with runtime.sessions() as session:
        user = session.scalars(select(WechatUser).where(WechatUser.openid == "o-window")).one()
        assert user.last_message_at is not None and user.first_interaction_at is not None


def test_each_message_is_logged_with_its_handler(client, config, runtime):
    post(client, config.wechat.token, text_xml("o-log", "帮助"))
    runtime.inbox.flush()
    with runtime.sessions() as session:
        row = session.scalars(select(MessageLog)).one()
        assert row.content == "帮助" and row.handler.endswith("show_help") and row.reply_kind == "text"
