"""Pick the one handler for a message from the routing table, and run it.

Order: an open dialog takes the user's text (取消 leaves it); menu clicks and events by key; QR
scenes by prefix; typed text by the longest keyword it starts with, then by pattern; anything else
gets the fallback (the help text).
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import NO_REPLY, Context, NoReply, Reply, Text, as_reply
from wechat_bot.conversation.normalize import is_cjk, normalize
from wechat_bot.conversation.table import (
    Dialog,
    Handler,
    Keyword,
    MenuClick,
    OnEvent,
    OnMessage,
    OnScan,
    Pattern,
    RoutingTable,
)

CANCEL_WORDS = frozenset({"取消", "cancel", "退出", "q"})
LEFT_DIALOG = "已退出当前操作。发送「帮助」查看可用指令。"
NOTHING_TO_CANCEL = "当前没有进行中的操作。发送「帮助」查看可用指令。"
EXPIRED_SCENE = "这个二维码无法识别或已过期。"
# Menu-like events whose EventKey names a button (PROTOCOL.md section 4).
CLICK_EVENTS = frozenset({"CLICK", "scancode_push", "scancode_waitmsg", "location_select",
                          "pic_sysphoto", "pic_photo_or_album", "pic_weixin"})


@dataclass(frozen=True)
class Routed:
    handler: str
    reply: Reply


class Router:
    def __init__(self, table: RoutingTable) -> None:
        self.table = table
        self._keywords = sorted(table.keywords.items(), key=lambda kv: len(kv[0]), reverse=True)
        self._menu = {r.key: r.handler for r in table.of(MenuClick)}
        self._events = {r.event: r.handler for r in table.of(OnEvent)}
        self._messages = {r.msg_type: r.handler for r in table.of(OnMessage)}
        self._scans = sorted(table.of(OnScan), key=lambda r: len(r.prefix), reverse=True)
        self._patterns = table.of(Pattern)
        self._dialogs: dict[str, Dialog] = {d.name: d for d in table.of(Dialog)}
        # Help marks a command as open when its canonical word is routed.
        self.available_commands = frozenset(
            {r.words[0] for r in table.of(Keyword)} | {"取消"}
        )

    def route(self, ctx: Context) -> Routed:
        ctx.available_commands = self.available_commands
        message = ctx.message
        if message.is_event:
            return self._route_event(ctx)
        text = message.text
        if text:
            return self._route_text(ctx, normalize(text))
        handler = self._messages.get(message.msg_type, self.table.fallback)
        return self._call(handler, ctx)

    def _route_event(self, ctx: Context) -> Routed:
        message = ctx.message
        event = message.event or ""
        key = message.event_key or ""
        if event in CLICK_EVENTS and key in self._menu:
            ctx.dialog.end()  # a menu tap starts something new
            return self._call(self._menu[key], ctx)
        if event == "SCAN":
            return self._route_scan(ctx, key, answer_unknown=True)
        if event == "subscribe":
            welcome = self._call(self._events.get("subscribe", _silent), ctx)
            if key.startswith("qrscene_"):
                scanned = self._route_scan(ctx, key.removeprefix("qrscene_"), answer_unknown=False)
                return _combine(welcome, scanned)
            return welcome
        handler = self._events.get(event)
        if handler is None:
            # WeChat adds events over time; an unknown one gets `success`, never an error.
            return Routed("unhandled-event", NO_REPLY)
        return self._call(handler, ctx)

    def _route_scan(self, ctx: Context, scene: str, *, answer_unknown: bool) -> Routed:
        for route in self._scans:
            if scene.startswith(route.prefix):
                ctx.scene = scene
                ctx.args = scene.removeprefix(route.prefix)
                return self._call(route.handler, ctx)
        if self.table.unknown_scan is not None:
            ctx.scene = scene
            return self._call(self.table.unknown_scan, ctx)
        return Routed("unknown-scene", Text(EXPIRED_SCENE) if answer_unknown else NO_REPLY)

    def _route_text(self, ctx: Context, text: str) -> Routed:
        if text in CANCEL_WORDS:
            if ctx.dialog.active:
                ctx.dialog.end()
                return Routed("dialog-cancel", Text(LEFT_DIALOG))
            return Routed("dialog-cancel", Text(NOTHING_TO_CANCEL))
        if ctx.dialog.active:
            step = self._dialog_step(ctx)
            if step is not None:
                ctx.args = text
                return self._call(step, ctx)
            ctx.dialog.end()  # a dialog this version no longer knows: start afresh
        for word, handler in self._keywords:
            rest = _after_keyword(text, word)
            if rest is not None:
                ctx.args = rest
                return self._call(handler, ctx)
        for route in self._patterns:
            match = route.regex.fullmatch(text)
            if match:
                ctx.args = " ".join(g for g in match.groups() if g) if match.groups() else text
                return self._call(route.handler, ctx)
        ctx.args = text
        return self._call(self.table.fallback, ctx)

    def _dialog_step(self, ctx: Context) -> Handler | None:
        dialog = self._dialogs.get(ctx.dialog.name or "")
        return dialog.steps.get(ctx.dialog.step or "") if dialog else None

    @staticmethod
    def _call(handler: Handler, ctx: Context) -> Routed:
        name = f"{handler.__module__}.{handler.__qualname__}"
        return Routed(name, as_reply(handler(ctx)))


def _after_keyword(text: str, word: str) -> str | None:
    """The arguments after `word` if `text` starts with it; Chinese keywords need no space."""
    if text == word:
        return ""
    if text.startswith(word + " "):
        return text[len(word) + 1:].strip()
    if is_cjk(word) and text.startswith(word):
        return text[len(word):].strip()
    return None


def _combine(first: Routed, second: Routed) -> Routed:
    if isinstance(second.reply, NoReply):
        return first
    if isinstance(first.reply, Text) and isinstance(second.reply, Text):
        return Routed(second.handler, Text(f"{second.reply.content}\n\n{first.reply.content}"))
    return second


def _silent(ctx: Context) -> Reply:
    return NO_REPLY

