"""Pick the one handler for a message from the routing table, and run it.

Order: an open dialog takes the user's text, and the message types its step accepts (取消 leaves
it); menu clicks and events by key; QR scenes by prefix; typed text by a keyword it is (spaces
aside), then by the longest keyword it starts with whose argument rule the rest meets (table.py:
a space, or a glued argument of the keyword's shape), then by pattern; anything else gets the
fallback (the help text).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from handlers.coming import ComingSoon
from handlers.context import (
    NO_REPLY,
    Context,
    DialogState,
    Handler,
    Message,
    NoReply,
    Reply,
    Text,
    as_reply,
)
from handlers.dialog import Dialog, Step
from wechat_bot.conversation.normalize import is_cjk, normalize
from wechat_bot.conversation.table import (
    DialogRoute,
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


@dataclass(frozen=True)
class Plan:
    """Which handler a message reaches and with what, decided before anything runs.

    `inline` plans answer from memory (a fixed reply, or a handler the table lists as instant), so
    the webhook runs them at once instead of under the deadline thread.
    """

    handler: Handler | None
    args: str = ""
    scene: str | None = None
    reply: Reply | None = None  # a fixed reply, when `handler` is None
    name: str = ""
    then: Plan | None = None  # subscribe with a qrscene_: the welcome, then the scan
    inline: bool = False

    def run(self, ctx: Context) -> Routed:
        if self.handler is None:
            routed = Routed(self.name, self.reply or NO_REPLY)
        else:
            ctx.args, ctx.scene = self.args, self.scene
            routed = Routed(handler_name(self.handler), as_reply(self.handler(ctx)))
        return _combine(routed, self.then.run(ctx)) if self.then is not None else routed


class Router:
    def __init__(self, table: RoutingTable) -> None:
        self.table = table
        self._exact = {word: route.handler for word, route in table.keywords.items()}
        # Longest first, so 我的活动 wins over 我的; words that take no argument need no entry.
        self._prefixes = [(word, route.takes if is_cjk(word) else None, route.handler)
                          for word, route in sorted(table.keywords.items(), key=lambda kv: len(kv[0]),
                                                    reverse=True)
                          if route.takes is not None]
        self._menu = {r.key: r.handler for r in table.of(MenuClick)}
        self._events = {r.event: r.handler for r in table.of(OnEvent)}
        self._messages = {r.msg_type: r.handler for r in table.of(OnMessage)}
        self._scans = sorted(table.of(OnScan), key=lambda r: len(r.prefix), reverse=True)
        self._patterns = table.of(Pattern)
        self._dialogs: dict[str, Dialog] = {r.name: r.dialog for r in table.of(DialogRoute)}
        # Help marks a command as open when its canonical word reaches a real handler.
        self.available_commands = frozenset(
            {r.words[0] for r in table.of(Keyword) if not isinstance(r.handler, ComingSoon)} | {"取消"}
        )

    def plan(self, message: Message, dialog: DialogState) -> Plan:
        """The plan for `message`; ending a dialog (取消, a menu tap) happens here, on `dialog`."""
        if message.is_event:
            return self._plan_event(message, dialog)
        text = message.text
        if text:
            return self._plan_text(normalize(text), dialog)
        step = self._dialog_step(dialog)
        if step is not None and message.msg_type in step.accepts:
            return self._to(step.handler)
        return self._to(self._messages.get(message.msg_type, self.table.fallback))

    def _to(self, handler: Handler, args: str = "", scene: str | None = None) -> Plan:
        instant = handler in self.table.instant or isinstance(handler, ComingSoon)
        return Plan(handler, args, scene, inline=instant)

    def _plan_event(self, message: Message, dialog: DialogState) -> Plan:
        event = message.event or ""
        key = message.event_key or ""
        if event in CLICK_EVENTS and key in self._menu:
            dialog.end()  # a menu tap starts something new
            return self._to(self._menu[key])
        if event == "SCAN":
            return self._plan_scan(key, answer_unknown=True)
        if event == "subscribe":
            welcome = self._to(self._events.get("subscribe", _silent))
            if key.startswith("qrscene_"):
                scanned = self._plan_scan(key.removeprefix("qrscene_"), answer_unknown=False)
                return dataclasses.replace(welcome, then=scanned, inline=welcome.inline and scanned.inline)
            return welcome
        handler = self._events.get(event)
        if handler is None:
            # WeChat adds events over time; an unknown one gets `success`, never an error.
            return _fixed("unhandled-event", NO_REPLY)
        return self._to(handler)

    def _plan_scan(self, scene: str, *, answer_unknown: bool) -> Plan:
        for route in self._scans:
            if scene.startswith(route.prefix):
                return self._to(route.handler, scene.removeprefix(route.prefix), scene)
        if self.table.unknown_scan is not None:
            return self._to(self.table.unknown_scan, scene=scene)
        return _fixed("unknown-scene", Text(EXPIRED_SCENE) if answer_unknown else NO_REPLY)

    def _plan_text(self, text: str, dialog: DialogState) -> Plan:
        if text in CANCEL_WORDS:
            if dialog.active:
                dialog.end()
                return _fixed("dialog-cancel", Text(LEFT_DIALOG))
            return _fixed("dialog-cancel", Text(NOTHING_TO_CANCEL))
        if dialog.active:
            step = self._dialog_step(dialog)
            if step is not None:
                return self._to(step.handler, text)
            dialog.end()  # a dialog this version no longer knows: start afresh
        handler = self._exact.get(text) or self._exact.get(text.replace(" ", ""))  # 我的 预约
        if handler is not None:
            return self._to(handler)
        for word, glued, handler in self._prefixes:
            if not text.startswith(word):
                continue
            rest = text[len(word):]
            if rest.startswith(" "):
                return self._to(handler, rest.strip())
            if glued is not None and glued.fullmatch(rest):
                return self._to(handler, rest)
            # 校友会在哪 is no search for 会在哪: a shorter word, a pattern or the help may fit
        for route in self._patterns:
            match = route.regex.fullmatch(text)
            if match:
                args = " ".join(g for g in match.groups() if g) if match.groups() else text
                return self._to(route.handler, args)
        return self._to(self.table.fallback, text)

    def _dialog_step(self, dialog: DialogState) -> Step | None:
        declared = self._dialogs.get(dialog.name or "")
        return declared.at(dialog.step) if declared else None


def handler_name(handler: Handler) -> str:
    """What the message log records as the handler: a function's path, or a ComingSoon's feature."""
    if isinstance(handler, ComingSoon):
        return f"{type(handler).__module__}:{handler.feature}"
    return f"{handler.__module__}.{handler.__qualname__}"


def _fixed(name: str, reply: Reply) -> Plan:
    return Plan(None, reply=reply, name=name, inline=True)


def _combine(first: Routed, second: Routed) -> Routed:
    if isinstance(second.reply, NoReply):
        return first
    if isinstance(first.reply, Text) and isinstance(second.reply, Text):
        return Routed(second.handler, Text(f"{second.reply.content}\n\n{first.reply.content}"))
    return second


def _silent(ctx: Context) -> Reply:
    return NO_REPLY

