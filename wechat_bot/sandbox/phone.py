"""What a tap or a typed line on the simulated phone becomes: WeChat's message fields, what the
sandbox learns from it (follow state, the customer-service window), and the relay to /wechat.

The sandbox records the interaction before relaying, as WeChat does: by the time the webhook runs,
WeChat already counts the user's message, so a late answer sent by customer service is in time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from wechat_bot.sandbox.people import Person
from wechat_bot.sandbox.relay import Reply, deliver
from wechat_bot.sandbox.state import Sandbox

# Real city-centre coordinates (latitude, longitude), for "share a location".
CITIES: dict[str, tuple[float, float, str]] = {
    "北京": (39.904200, 116.407396, "北京市东城区天安门广场"),
    "上海": (31.230416, 121.473701, "上海市黄浦区人民广场"),
    "广州": (23.129110, 113.264385, "广东省广州市越秀区"),
    "深圳": (22.543096, 114.057865, "广东省深圳市福田区市民中心"),
    "杭州": (30.274084, 120.155070, "浙江省杭州市上城区"),
    "南京": (32.060255, 118.796877, "江苏省南京市玄武区"),
    "武汉": (30.592849, 114.305539, "湖北省武汉市江岸区"),
    "成都": (30.572815, 104.066801, "四川省成都市锦江区天府广场"),
    "西安": (34.341568, 108.939840, "陕西省西安市钟楼"),
    "纽约": (40.712776, -74.005974, "New York, NY, USA"),
    "伦敦": (51.507351, -0.127758, "London, UK"),
}
WINDOW_EVENTS = frozenset({"CLICK", "scancode_push", "scancode_waitmsg", "subscribe", "SCAN"})


class PhoneError(ValueError):
    """The tap cannot be sent (not following, unknown city, …); the text is shown to the user."""


@dataclass(frozen=True)
class Tap:
    """One thing the phone sends: WeChat's fields and how the chat shows the user's side of it."""

    fields: dict
    shown: dict


def _msg_id() -> int:
    return secrets.randbits(63)


def _location(city: str) -> tuple[float, float, str]:
    if city not in CITIES:
        raise PhoneError("请选择列表中的城市")
    return CITIES[city]


def text(content: str) -> Tap:
    content = (content or "").strip()
    if not content:
        raise PhoneError("消息不能为空")
    return Tap(
        {"MsgType": "text", "Content": content, "MsgId": _msg_id()},
        {"msgtype": "text", "content": content},
    )


def location(city: str) -> Tap:
    lat, lng, label = _location(city)
    return Tap(
        {
            "MsgType": "location",
            "Location_X": lat,
            "Location_Y": lng,
            "Scale": 15,
            "Label": label,
            "MsgId": _msg_id(),
        },
        {"msgtype": "location", "content": label, "city": city, "lat": lat, "lng": lng},
    )


def _event(event: str, shown: str, **fields) -> Tap:
    return Tap(
        {"MsgType": "event", "Event": event, **fields}, {"msgtype": "event", "content": shown}
    )


def subscribe(scene: str = "", ticket: str = "") -> Tap:
    if scene:
        return _event(
            "subscribe",
            f"扫码关注了公众号（场景 {scene}）",
            EventKey=f"qrscene_{scene}",
            Ticket=ticket or "sandbox-ticket",
        )
    return _event("subscribe", "关注了公众号")


def unsubscribe() -> Tap:
    return _event("unsubscribe", "取消关注了公众号")


def consent_popup(template_id: str, title: str) -> Tap:
    """The user taps 允许 in the official account's subscription-notice prompt."""
    accepted = {"TemplateId": template_id, "SubscribeStatusString": "accept", "PopupScene": 2}
    return _event(
        "subscribe_msg_popup_event",
        f"允许接收订阅通知「{title}」",
        SubscribeMsgPopupEvent={"List": accepted},
    )


def scan(scene: str, ticket: str, following: bool) -> Tap:
    scene = (scene or "").strip()
    if not scene:
        raise PhoneError("请填写二维码的场景值")
    if not following:
        return subscribe(scene, ticket)
    return _event(
        "SCAN", f"扫描了二维码（场景 {scene}）", EventKey=scene, Ticket=ticket or "sandbox-ticket"
    )


def menu_tap(button: dict, menu_id: int, extra: dict) -> Tap:
    """A tap on a menu button of any type, as WeChat reports it."""
    kind, name = button.get("type"), button.get("name", "")
    key = button.get("key", "")
    shown = f"点击了菜单「{name}」"
    if kind == "view":
        return _event("VIEW", shown, EventKey=button.get("url", ""), MenuId=menu_id)
    if kind == "miniprogram":
        return _event(
            "view_miniprogram", shown, EventKey=button.get("pagepath", ""), MenuId=menu_id
        )
    if kind in ("scancode_push", "scancode_waitmsg"):
        result = (extra.get("result") or "").strip()
        if not result:
            raise PhoneError("请填写扫码结果")
        return _event(
            kind,
            f"{shown}并扫码：{result}",
            EventKey=key,
            ScanCodeInfo={"ScanType": "qrcode", "ScanResult": result},
        )
    if kind == "location_select":
        lat, lng, label = _location(extra.get("city", ""))
        return _event(
            kind,
            f"{shown}并发送位置：{label}",
            EventKey=key,
            SendLocationInfo={
                "Location_X": lat,
                "Location_Y": lng,
                "Scale": 15,
                "Label": label,
                "Poiname": label,
            },
        )
    if kind in ("pic_sysphoto", "pic_photo_or_album", "pic_weixin"):
        return _event(kind, shown, EventKey=key, SendPicsInfo={"Count": 0, "PicList": []})
    if kind in ("media_id", "view_limited", "article_id", "article_view_limited"):
        # WeChat answers these itself with the stored material; nothing reaches the webhook.
        raise PhoneError("此类菜单由微信直接下发素材，不会推送到服务器")
    return _event("CLICK", shown, EventKey=key)


def send(
    sandbox: Sandbox, person: Person, tap: Tap, mode: str
) -> tuple[list[dict], Reply]:
    """Record what WeChat learns from the tap, relay it, and store both sides of the exchange."""
    fields = tap.fields
    event = fields.get("Event")
    # A phone offers 关注 only to someone not following, and everything else only to followers.
    if event == "subscribe":
        if person.subscribed:
            raise PhoneError("已经关注了公众号")
        scene = str(fields.get("EventKey", "")).removeprefix("qrscene_")
        sandbox.people.follow(person.openid, scene)
    elif not person.subscribed:
        raise PhoneError("请先关注公众号")
    elif event == "unsubscribe":
        sandbox.people.unfollow(person.openid)
        sandbox.allowance.close(person.openid)
    if fields["MsgType"] != "event":
        sandbox.allowance.open(person.openid, "message")
    elif event in WINDOW_EVENTS:
        sandbox.allowance.open(person.openid, "event")

    conversation = sandbox.conversation
    entries = [conversation.append(person.openid, "user", **tap.shown)]
    reply = deliver(fields, person.openid, sandbox.config, mode)
    if event == "unsubscribe" and reply.entries:
        # WeChat delivers nothing to someone who just left; say so instead of showing the reply.
        reply.entries = []
        reply.notices.append("已取消关注：公众号对取消关注事件的回复不会送达用户")
    for notice in reply.notices:
        entries.append(
            conversation.append(person.openid, "notice", msgtype="notice", content=notice)
        )
    for entry in reply.entries:
        entries.append(conversation.append(person.openid, "reply", **entry))
    return entries, reply
