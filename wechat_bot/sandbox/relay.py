"""What the phone sends: real webhook XML, signed (and in safe mode encrypted) as WeChat's servers
sign it, posted over real HTTP to the app's own /wechat, and the passive reply read back.

The relay posts to the configured `app.base_url`, never to an address taken from the request (its
Host header is the caller's to choose, and the relay signs with the real token). It runs inside a
sandbox request and calls the same server, so it needs a server that takes a second request
meanwhile: the threaded dev server and gunicorn's gthread workers do. Like WeChat
it waits 5 seconds and then tries again, three times in all, with the same message (same MsgId or
CreateTime), which is exactly what the webhook's dedup must recognise.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field

import requests

from wechat_bot.config import Config
from wechat_bot.webhook.crypto import CryptoError, MessageCrypto, signature
from wechat_bot.webhook.xml import BadXML, parse_xml

log = logging.getLogger(__name__)

WECHAT_WAITS_SECONDS = 5.0
WECHAT_TRIES = 3
UNAVAILABLE = "该公众号暂时无法提供服务，请稍后再试"
# A news reply to a user's message carries 1 article, to an event up to 8 (PROTOCOL.md section 3).
NEWS_LIMIT_MESSAGE, NEWS_LIMIT_EVENT = 1, 8


@dataclass
class Reply:
    """What the phone shows after one message: reply entries, or a notice of what went wrong."""

    entries: list[dict] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    tries: int = 0
    elapsed_ms: int = 0


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def to_xml(fields: dict, root: str = "xml") -> str:
    """WeChat's XML: strings in CDATA, numbers bare, dicts nested, lists as repeated <item>."""
    parts = []
    for name, value in fields.items():
        if isinstance(value, dict):
            parts.append(to_xml(value, name))
        elif isinstance(value, list):
            parts.append(f"<{name}>" + "".join(to_xml(v, "item") for v in value) + f"</{name}>")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            parts.append(f"<{name}>{value}</{name}>")
        else:
            parts.append(f"<{name}>{_cdata(str(value))}</{name}>")
    return f"<{root}>{''.join(parts)}</{root}>"


def modes_for(config: Config) -> list[str]:
    """The message modes WeChat may send this account, the one it sends by default first: plain
    without an EncodingAESKey; in safe mode only encrypted bodies (`aes`)."""
    if not config.wechat.encoding_aes_key:
        return ["plain"]
    if config.wechat.message_mode == "safe":
        return ["aes"]
    return ["compatible", "aes", "plain"]


def message_xml(fields: dict, openid: str, config: Config, create_time: int) -> str:
    """The message as WeChat delivers it: to the account's gh_ id, from the user's openid."""
    head = {
        "ToUserName": config.wechat.original_id,
        "FromUserName": openid,
        "CreateTime": create_time,
    }
    return to_xml({**head, **fields})


def signed_request(xml: str, openid: str, config: Config, mode: str) -> tuple[dict, str]:
    """(query, body) for one delivery in plain, compatible or safe (aes) mode."""
    wechat = config.wechat
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
    query = {
        "signature": signature(wechat.token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": openid,
    }
    if mode == "plain":
        return query, xml
    encrypt = MessageCrypto(wechat.encoding_aes_key, wechat.app_id).encrypt(xml)
    query |= {
        "encrypt_type": "aes",
        "msg_signature": signature(wechat.token, timestamp, nonce, encrypt),
    }
    if mode == "compatible":  # the plain fields and <Encrypt> side by side
        return query, xml.removesuffix("</xml>") + f"<Encrypt>{_cdata(encrypt)}</Encrypt></xml>"
    return query, to_xml({"ToUserName": wechat.original_id, "Encrypt": encrypt})


def deliver(
    fields: dict,
    openid: str,
    config: Config,
    mode: str,
    create_time: int | None = None,
) -> Reply:
    """Post one message to the app's /wechat the way WeChat does, and read the passive reply."""
    xml = message_xml(fields, openid, config, create_time or int(time.time()))
    result = Reply()
    started = time.monotonic()
    response = None
    for attempt in range(1, WECHAT_TRIES + 1):
        result.tries = attempt
        query, body = signed_request(xml, openid, config, mode)  # each try is signed afresh
        try:
            response = requests.post(
                config.app.base_url.rstrip("/") + "/wechat",
                params=query,
                data=body.encode("utf-8"),
                headers={"Content-Type": "text/xml; charset=utf-8"},
                timeout=WECHAT_WAITS_SECONDS,
            )
            break
        except requests.Timeout:
            result.notices.append(f"第 {attempt} 次推送：公众号服务器 5 秒内没有回复，微信会重试")
        except requests.ConnectionError:
            result.notices.append("无法连接公众号服务器（/wechat）")
            break
    result.elapsed_ms = int((time.monotonic() - started) * 1000)
    if response is None:
        result.entries.append({"msgtype": "error", "content": UNAVAILABLE})
        return result
    _read_reply(response, fields, openid, config, result)
    return result


def _read_reply(
    response: requests.Response, sent: dict, openid: str, config: Config, result: Reply
) -> None:
    text = response.text
    if response.status_code != 200:
        result.notices.append(f"公众号服务器回答 HTTP {response.status_code}")
        result.entries.append({"msgtype": "error", "content": UNAVAILABLE})
        return
    if text.strip() in ("", "success"):
        return  # no reply, as WeChat shows nothing
    try:
        fields = parse_xml(text.encode("utf-8"))
        if "Encrypt" in fields:
            fields = _decrypt(fields, config)
        result.entries.append(_entry(fields, sent, openid, config))
    except (BadXML, CryptoError, _Refused) as exc:
        result.notices.append(f"回复无法被微信接受：{exc}")
        result.entries.append({"msgtype": "error", "content": UNAVAILABLE})


class _Refused(Exception):
    """A reply WeChat would not show; the text says why."""


def _decrypt(fields: dict, config: Config) -> dict:
    wechat = config.wechat
    if not wechat.encoding_aes_key:
        raise _Refused("收到加密回复，但没有配置 EncodingAESKey")
    expected = signature(
        wechat.token, fields.get("TimeStamp", ""), fields.get("Nonce", ""), fields["Encrypt"]
    )
    if expected != fields.get("MsgSignature"):
        raise _Refused("加密回复的 MsgSignature 不正确")
    return parse_xml(
        MessageCrypto(wechat.encoding_aes_key, wechat.app_id).decrypt(fields["Encrypt"])
    )


def _entry(fields: dict, sent: dict, openid: str, config: Config) -> dict:
    if (
        fields.get("ToUserName") != openid
        or fields.get("FromUserName") != config.wechat.original_id
    ):
        raise _Refused("回复的 ToUserName / FromUserName 与消息不对应")
    msgtype = fields.get("MsgType")
    if msgtype == "text":
        return {"msgtype": "text", "content": fields.get("Content") or ""}
    if msgtype in ("image", "voice", "video"):
        media = fields.get(msgtype.capitalize()) or {}
        return {
            "msgtype": msgtype,
            "media_id": media.get("MediaId", ""),
            "title": media.get("Title", ""),
        }
    if msgtype == "news":
        return {
            "msgtype": "news",
            "articles": _articles(fields, is_event=sent.get("MsgType") == "event"),
        }
    if msgtype == "music":
        return {"msgtype": "music", "title": (fields.get("Music") or {}).get("Title", "音乐")}
    if msgtype == "transfer_customer_service":
        return {"msgtype": "notice", "content": "（消息已转给人工客服）"}
    raise _Refused(f"未知的回复类型 {msgtype!r}")


def _articles(fields: dict, is_event: bool) -> list[dict]:
    items = (fields.get("Articles") or {}).get("item") or []
    items = items if isinstance(items, list) else [items]
    limit = NEWS_LIMIT_EVENT if is_event else NEWS_LIMIT_MESSAGE
    if not items:
        raise _Refused("图文回复没有文章")
    if len(items) > limit:
        raise _Refused(
            f"图文回复有 {len(items)} 篇文章，回复{'事件' if is_event else '消息'}最多 {limit} 篇"
        )
    if str(fields.get("ArticleCount")) != str(len(items)):
        raise _Refused("ArticleCount 与文章数不符")
    return [
        {
            "title": i.get("Title", ""),
            "description": i.get("Description", ""),
            "picurl": i.get("PicUrl", ""),
            "url": i.get("Url", ""),
        }
        for i in items
    ]
