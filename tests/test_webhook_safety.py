"""Hostile or broken bodies: refused with a status, never expanded, never a 500."""

from sqlalchemy import func, select

from handlers.context import Context
from models import WechatUser
from tests.wechat import post, reply_content, text_xml
from wechat_bot.conversation.table import RoutingTable, keyword

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o-bomb</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol4;</Content><MsgId>1</MsgId></xml>"""

XXE = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o-xxe</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&secret;</Content><MsgId>2</MsgId></xml>"""

DTD_ONLY = """<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://127.0.0.1:1/x.dtd">
<xml><ToUserName>gh</ToUserName><FromUserName>o-dtd</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>hi</Content><MsgId>3</MsgId></xml>"""


def _users(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(WechatUser))


def test_entity_bomb_is_refused_unexpanded(client, config, runtime):
    response = post(client, config.wechat.token, BOMB)
    assert response.status_code == 400
    assert "lol" not in response.get_data(as_text=True)
    assert _users(runtime) == 0


def test_external_entity_is_refused(client, config):
    response = post(client, config.wechat.token, XXE)
    assert response.status_code == 400
    assert "root:" not in response.get_data(as_text=True)


def test_document_type_declaration_is_refused(client, config):
    assert post(client, config.wechat.token, DTD_ONLY).status_code == 400


def test_body_over_one_mebibyte_is_refused(client, config):
    body = text_xml("o-big", "x" * (1024 * 1024 + 10))
    assert post(client, config.wechat.token, body).status_code == 413


def test_malformed_xml_is_refused(client, config, runtime):
    assert post(client, config.wechat.token, "<xml><ToUserName>gh</ToUser").status_code == 400
    assert post(client, config.wechat.token, "not xml at all").status_code == 400
    assert post(client, config.wechat.token, "").status_code == 400
    assert _users(runtime) == 0


def test_xml_missing_the_sender_is_refused(client, config):
    assert post(client, config.wechat.token, "<xml><MsgType>text</MsgType></xml>").status_code == 400


def _explodes(ctx: Context) -> str:
    raise RuntimeError("database on fire: password=hunter2")


def test_a_failing_handler_gets_an_apology_not_a_500(make_app, config, caplog):
    table = RoutingTable(routes=(keyword("炸", to=_explodes),), fallback=_explodes)
    client = make_app(routes=table).test_client()
    response = post(client, config.wechat.token, text_xml("o-boom", "炸"))
    assert response.status_code == 200
    text = reply_content(response.get_data(as_text=True))
    assert "抱歉" in text and "hunter2" not in text
    assert any("database on fire" in (r.exc_text or "") for r in caplog.records)
