"""Speak to the webhook as WeChat's servers do: signed query strings, message XML, AES envelopes."""

from __future__ import annotations

import itertools
import time

from wechat_bot.webhook.crypto import MessageCrypto, signature
from wechat_bot.webhook.xml import parse_xml

ACCOUNT = "gh_alumnidemo01"
_msg_ids = itertools.count(7_000_000_000_000_000_000)


def now() -> str:
    return str(int(time.time()))


def signed_query(token: str, timestamp: str | None = None, nonce: str = "n0nce") -> dict:
    """Signed as WeChat signs: with the current time, unless the test says otherwise."""
    timestamp = timestamp or now()
    return {"signature": signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
            "openid": "o"}


def text_xml(openid: str, content: str, msg_id: int | None = None, create_time: int | None = None) -> str:
    msg_id = next(_msg_ids) if msg_id is None else msg_id
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>{create_time or int(time.time())}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
            f"<MsgId>{msg_id}</MsgId></xml>")


def event_xml(openid: str, event: str, extra: str = "", create_time: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>{create_time or int(time.time())}</CreateTime>"
            f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>{extra}</xml>")


def click_xml(openid: str, key: str) -> str:
    return event_xml(openid, "CLICK", f"<EventKey><![CDATA[{key}]]></EventKey>")


def post(client, token: str, body: str | bytes, **query):
    return client.post("/wechat", query_string={**signed_query(token), **query}, data=body,
                       content_type="text/xml")


def say(client, token: str, openid: str, content: str) -> str:
    """Send a text message and return the reply's text content ('' for `success`)."""
    response = post(client, token, text_xml(openid, content))
    assert response.status_code == 200, response.data
    return reply_content(response.get_data(as_text=True))


def reply_content(xml: str) -> str:
    if xml in ("", "success"):
        return ""
    return parse_xml(xml.encode()).get("Content", "")


def post_encrypted(client, token: str, crypto: MessageCrypto, inner_xml: str, *, compatible: bool = False,
                   timestamp: str | None = None, nonce: str = "n0nce"):
    timestamp = timestamp or now()
    encrypt = crypto.encrypt(inner_xml)
    if compatible:
        body = inner_xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
    else:
        body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    query = {**signed_query(token, timestamp, nonce), "encrypt_type": "aes",
             "msg_signature": signature(token, timestamp, nonce, encrypt)}
    return client.post("/wechat", query_string=query, data=body, content_type="text/xml")


def open_encrypted_reply(token: str, crypto: MessageCrypto, xml: str) -> dict:
    """Check the reply's signature as WeChat would, then decrypt it."""
    envelope = parse_xml(xml.encode())
    expected = signature(token, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"])
    assert envelope["MsgSignature"] == expected, "reply signature does not verify"
    return parse_xml(crypto.decrypt(envelope["Encrypt"]).encode())
