"""Parse WeChat's XML safely and render replies.

defusedxml refuses DTDs, entity declarations and external references before anything is expanded,
so an entity bomb or an XXE probe costs us nothing.
"""

from __future__ import annotations

import time
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from handlers.context import Image, Message, News, NoReply, Reply, Text


class BadXML(Exception):
    """Not well-formed, not WeChat's shape, or carrying a DTD / entities."""


def parse_xml(body: bytes | str) -> dict:
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise BadXML(type(exc).__name__) from None
    if root.tag != "xml":
        raise BadXML("根元素不是 <xml>")
    return _to_dict(root)


def _to_dict(element: Element) -> dict:
    out: dict = {}
    for child in element:
        if len(child):
            value = _to_dict(child)
            if child.tag in out:  # repeated element, e.g. <item> in SendPicsInfo
                existing = out[child.tag]
                out[child.tag] = (existing if isinstance(existing, list) else [existing]) + [value]
                continue
            out[child.tag] = value
        else:
            out[child.tag] = (child.text or "").strip() if child.tag != "Content" else (child.text or "")
    return out


def _float(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def to_message(fields: dict) -> Message:
    """Flatten WeChat's fields; unknown types pass through so the router can answer `success`."""
    try:
        msg_type = fields["MsgType"].strip().lower()
        from_user = fields["FromUserName"]
        to_user = fields["ToUserName"]
        create_time = int(fields.get("CreateTime") or 0)
    except (KeyError, AttributeError, ValueError):
        raise BadXML("缺少 MsgType、FromUserName 或 ToUserName") from None
    if not from_user or not isinstance(from_user, str):
        raise BadXML("FromUserName 为空")
    event = fields.get("Event") if msg_type == "event" else None
    lat, lng = _float(fields.get("Location_X")), _float(fields.get("Location_Y"))
    if msg_type == "event" and event == "LOCATION":
        lat, lng = _float(fields.get("Latitude")), _float(fields.get("Longitude"))
    if msg_type == "event" and isinstance(fields.get("SendLocationInfo"), dict):
        info = fields["SendLocationInfo"]
        lat, lng = _float(info.get("Location_X")), _float(info.get("Location_Y"))
    return Message(
        msg_type=msg_type,
        from_user=from_user,
        to_user=to_user,
        create_time=create_time,
        msg_id=(fields.get("MsgId") or fields.get("MsgID") or None) if msg_type != "event" else None,
        content=fields.get("Content") if isinstance(fields.get("Content"), str) else None,
        event=event if isinstance(event, str) else None,
        event_key=fields.get("EventKey") if isinstance(fields.get("EventKey"), str) else None,
        latitude=lat,
        longitude=lng,
        label=fields.get("Label") if isinstance(fields.get("Label"), str) else None,
        recognition=fields.get("Recognition") or None,
        raw=fields,
    )


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_reply(reply: Reply, to_user: str, from_user: str, now: int | None = None) -> str:
    """Passive-reply XML; an empty string means `success` (no reply)."""
    if isinstance(reply, NoReply):
        return ""
    head = (f"<ToUserName>{_cdata(to_user)}</ToUserName><FromUserName>{_cdata(from_user)}</FromUserName>"
            f"<CreateTime>{int(now if now is not None else time.time())}</CreateTime>")
    if isinstance(reply, Text):
        return f"<xml>{head}<MsgType><![CDATA[text]]></MsgType><Content>{_cdata(reply.content)}</Content></xml>"
    if isinstance(reply, Image):
        return (f"<xml>{head}<MsgType><![CDATA[image]]></MsgType>"
                f"<Image><MediaId>{_cdata(reply.media_id)}</MediaId></Image></xml>")
    if isinstance(reply, News):
        items = "".join(
            f"<item><Title>{_cdata(a.title)}</Title><Description>{_cdata(a.description)}</Description>"
            f"<PicUrl>{_cdata(a.picture_url)}</PicUrl><Url>{_cdata(a.url)}</Url></item>"
            for a in reply.articles
        )
        return (f"<xml>{head}<MsgType><![CDATA[news]]></MsgType>"
                f"<ArticleCount>{len(reply.articles)}</ArticleCount><Articles>{items}</Articles></xml>")
    raise TypeError(f"cannot render {reply!r}")


def render_encrypted(encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    return (f"<xml><Encrypt>{_cdata(encrypt)}</Encrypt><MsgSignature>{_cdata(msg_signature)}</MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{_cdata(nonce)}</Nonce></xml>")
