"""The vocabulary of the routing table: each entry says what input reaches which handler."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers.context import Handler
from handlers.dialog import Dialog
from wechat_bot.conversation.normalize import normalize

# What may follow a keyword (SPEC 5: every keyword is matched whole, so a longer command or an
# everyday phrase is never taken for a shorter keyword plus an argument). After a space any
# argument reaches the handler, which explains its own format; glued to a Chinese word (查找张伟)
# only text of the keyword's argument shape counts, and anything else is not this command.
ALONE = None                    # the word on its own: 我的 (我的预约 is another command)
SPACED = re.compile(r"(?!)")    # an argument after a space only: 找 张伟 (找工作 is no search)
ANYTHING = re.compile(r".+")    # an argument, spaced or glued: 查找张伟
NUMBER = re.compile(r"#?\d{1,9}")  # 报名3, 取消预约12


@dataclass(frozen=True)
class Keyword:
    """A command word with its aliases; the text after it reaches the handler as `ctx.args`.

    `takes` is what may follow the word: ALONE, SPACED, ANYTHING, or the shape (a pattern over
    the rest of the text) an argument glued to a Chinese word must have.
    """

    words: tuple[str, ...]
    handler: Handler
    takes: re.Pattern[str] | None = ALONE


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


def keyword(*words: str, to: Handler, takes: re.Pattern[str] | str | None = ALONE) -> Keyword:
    return Keyword(words, to, re.compile(takes) if isinstance(takes, str) else takes)


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


EntryPoint = Keyword | Pattern | MenuClick | OnEvent | OnMessage | OnScan


@dataclass(frozen=True)
class DialogRoute:
    """A feature's dialog (handlers.dialog) listed with the routes that start it."""

    dialog: Dialog
    entry_points: tuple[EntryPoint, ...]

    @property
    def name(self) -> str:
        return self.dialog.name


def dialog(declared: Dialog, *entry_points: EntryPoint) -> DialogRoute:
    return DialogRoute(declared, entry_points)


Route = EntryPoint | DialogRoute


@dataclass(frozen=True)
class RoutingTable:
    routes: tuple[Route, ...]
    fallback: Handler
    unknown_scan: Handler | None = None
    # Handlers that answer from memory alone (no database, no network, no Redis): they run at once,
    # not under the webhook's deadline thread, since they cannot overrun it.
    instant: frozenset[Handler] = frozenset()
    keywords: dict[str, Keyword] = field(init=False)  # each normalised word -> its route
    _flat: tuple[Route, ...] = field(init=False, repr=False)  # a dialog's entry points beside it

    def __post_init__(self) -> None:
        flat: list[Route] = []
        for route in self.routes:
            flat.append(route)
            if isinstance(route, DialogRoute):
                flat.extend(route.entry_points)
        object.__setattr__(self, "_flat", tuple(flat))
        keywords: dict[str, Keyword] = {}
        for route in self._flat:
            if isinstance(route, Keyword):
                for word in route.words:
                    key = normalize(word)
                    if key in keywords:
                        raise ValueError(f"keyword {word!r} is routed twice")
                    keywords[key] = route
        # One input, one handler: a second route for a menu key, an event, a message type, a QR
        # scene or a dialog would silently shadow the first.
        for kind, what in ((MenuClick, "key"), (OnEvent, "event"), (OnMessage, "msg_type"),
                           (OnScan, "prefix"), (DialogRoute, "name")):
            seen: set[str] = set()
            for route in self.of(kind):
                value = getattr(route, what)
                if value in seen:
                    raise ValueError(f"{kind.__name__} {value!r} is routed twice")
                seen.add(value)
        object.__setattr__(self, "keywords", keywords)

    def of(self, kind: type) -> list:
        return [r for r in self._flat if isinstance(r, kind)]
