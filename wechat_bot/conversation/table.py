"""The vocabulary of the routing table: each entry says what input reaches which handler."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from handlers.context import Context, Reply
from wechat_bot.conversation.normalize import normalize

Handler = Callable[[Context], "Reply | str | None"]


@dataclass(frozen=True)
class Keyword:
    """A command word with its aliases; the text after it reaches the handler as `ctx.args`."""

    words: tuple[str, ...]
    handler: Handler


@dataclass(frozen=True)
class Pattern:
    """A regular expression over the whole normalised text; groups arrive in `ctx.args`."""

    regex: re.Pattern[str]
    handler: Handler


@dataclass(frozen=True)
class MenuClick:
    key: str
    handler: Handler


@dataclass(frozen=True)
class OnEvent:
    event: str
    handler: Handler


@dataclass(frozen=True)
class OnMessage:
    msg_type: str
    handler: Handler


@dataclass(frozen=True)
class OnScan:
    """A parametric QR scene (SCAN, or subscribe with `qrscene_`) starting with `prefix`."""

    prefix: str
    handler: Handler


@dataclass(frozen=True)
class Dialog:
    """A multi-step conversation declared as data: step name -> the handler for the answer."""

    name: str
    steps: dict[str, Handler]


def keyword(*words: str, to: Handler) -> Keyword:
    return Keyword(words, to)


def pattern(regex: str, to: Handler) -> Pattern:
    return Pattern(re.compile(regex), to)


def menu(key: str, to: Handler) -> MenuClick:
    return MenuClick(key, to)


def event(name: str, to: Handler) -> OnEvent:
    return OnEvent(name, to)


def message(msg_type: str, to: Handler) -> OnMessage:
    return OnMessage(msg_type, to)


def scan(prefix: str, to: Handler) -> OnScan:
    return OnScan(prefix, to)


def dialog(dialog_name: str, /, **steps: Handler) -> Dialog:
    return Dialog(dialog_name, steps)


Route = Keyword | Pattern | MenuClick | OnEvent | OnMessage | OnScan | Dialog


@dataclass(frozen=True)
class RoutingTable:
    routes: tuple[Route, ...]
    fallback: Handler
    unknown_scan: Handler | None = None
    # Handlers that answer from memory alone (no database, no network, no Redis): they run at once,
    # not under the webhook's deadline thread, since they cannot overrun it.
    instant: frozenset[Handler] = frozenset()
    keywords: dict[str, Handler] = field(init=False)

    def __post_init__(self) -> None:
        keywords: dict[str, Handler] = {}
        for route in self.routes:
            if isinstance(route, Keyword):
                for word in route.words:
                    key = normalize(word)
                    if key in keywords:
                        raise ValueError(f"keyword {word!r} is routed twice")
                    keywords[key] = route.handler
        object.__setattr__(self, "keywords", keywords)

    def of(self, kind: type) -> list:
        return [r for r in self.routes if isinstance(r, kind)]
