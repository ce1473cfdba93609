"""What a handler is given (a Context) and what it gives back (a reply value).

The webhook, the API and the admin page fill a Context per request; handlers never see Flask, HTTP
or XML, so each feature is testable with a session and plain values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import redis
from sqlalchemy.orm import Session

from handlers.settings import Settings
from models import WechatUser

if TYPE_CHECKING:
    from handlers.dialog import Dialog

# What `Context.store` raises while Redis is down. The webhook still runs handlers then (the
# database is up): a handler that can do without Redis catches these and carries on.
STORE_DOWN = (redis.ConnectionError, redis.TimeoutError)


@dataclass(frozen=True)
class Message:
    """One message or event from WeChat, flattened to the fields handlers use."""

    msg_type: str
    from_user: str
    to_user: str
    create_time: int
    msg_id: str | None = None
    content: str | None = None
    event: str | None = None
    event_key: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    label: str | None = None
    recognition: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_event(self) -> bool:
        return self.msg_type == "event"

    @property
    def dedup_key(self) -> str:
        """WeChat's retries repeat MsgId for messages, sender + time + event for events."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        key = f"evt:{self.from_user}:{self.create_time}:{self.event or ''}:{self.event_key or ''}"
        # Job receipts carry the send's MsgID: two template messages to one user, reported in
        # the same second, are two reports, not a retry.
        job = self.raw.get("MsgID")
        return f"{key}:{job}" if isinstance(job, str) and job else key

    @property
    def text(self) -> str:
        """What the user said: typed text, or a voice message's recognised words."""
        return self.content if self.msg_type == "text" else (self.recognition or "")


@dataclass(frozen=True)
class Text:
    content: str


@dataclass(frozen=True)
class Article:
    title: str
    description: str = ""
    url: str = ""
    picture_url: str = ""


@dataclass(frozen=True)
class News:
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Image:
    media_id: str


@dataclass(frozen=True)
class NoReply:
    """Nothing to say (WeChat gets `success`), e.g. after an unsubscribe."""


Reply = Text | News | Image | NoReply
NO_REPLY = NoReply()


def as_reply(value: Reply | str | None) -> Reply:
    """Handlers may return a plain string; it becomes a text reply."""
    if value is None:
        return NO_REPLY
    if isinstance(value, str):
        return Text(value)
    return value


def logged_as(mask: Callable[[str], str]) -> Callable:
    """Declare that the message log keeps what reaches this handler only as `mask` renders it.

    For input the log must not hold verbatim (a student ID): the webhook logs the text the routing
    hands the handler (`ctx.args`) through `mask`, the words before it as they were understood.
    """

    def declare(handler):
        handler.logged_as = mask
        return handler

    return declare


def input_mask(handler) -> Callable[[str], str] | None:
    """The mask `handler` declared with `logged_as`, if any."""
    return getattr(handler, "logged_as", None)


@dataclass
class DialogState:
    """Where a user is in a multi-step conversation; the router keeps it in Redis between messages.

    `name` and `step` are kept as plain strings (a dialog's name, a step's value), the shape Redis
    has always held, so a state saved by an earlier version still reads (handlers.dialog).
    """

    name: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    changed: bool = field(default=False, compare=False)

    @property
    def active(self) -> bool:
        return self.name is not None

    def start(self, dialog: Dialog, step: StrEnum, **data: Any) -> None:
        if step not in dialog.steps:
            raise ValueError(f"dialog {dialog.name!r} has no step {step!r}")
        self.name, self.step, self.data, self.changed = dialog.name, step.value, dict(data), True

    def goto(self, step: StrEnum, **data: Any) -> None:
        self.step = step.value
        self.data.update(data)
        self.changed = True

    def end(self) -> None:
        self.name, self.step, self.data, self.changed = None, None, {}, True


@dataclass
class Context:
    """Everything one handler call may use. Handlers read the time from `now`, never the clock."""

    session: Session
    message: Message
    store: redis.Redis  # Redis, or the in-process stand-in for memory:// (a FakeRedis)
    now: datetime
    settings: Settings  # the school's names and every feature's own settings
    user_loader: Callable[[], WechatUser]
    dialog: DialogState = field(default_factory=DialogState)
    args: str = ""
    available_commands: frozenset[str] = frozenset()
    scene: str | None = None
    # notify(session, user_ids, text, now, created_by=...): queue a notification to those users
    # (handlers.notices.Notify; the door hands it in)
    notify: Callable[..., None] | None = None
    # upload_image(png bytes, file name) -> a temporary media_id for an Image reply (the door's
    # WeChat client; handlers never call WeChat), and the reunion passes' signing key, derived
    # from the app's secret_key (handlers.reunion.passes.pass_key): both handed in by the door.
    upload_image: Callable[[bytes, str], str] | None = None
    pass_key: bytes = field(default=b"", repr=False)
    # export_link(user_id, now) -> the 我的数据 download URL (handlers.privacy.links), handed in by
    # the door, which knows the app's address and secret; None: the door offers no download.
    export_link: Callable[[int, datetime], str] | None = None
    # search_log(record): queue a line of the search log (handlers.directory.searching.SearchRecord)
    # for the door to write in a batch after the request; None: the handler's transaction writes it.
    search_log: Callable[[Any], None] | None = None
    # Redis writes (set/delete/rpush, as on a pipeline) the door sends after the handler's commit
    # and before the reply, in the one round trip that saves the dialog: for what the user's next
    # message may need at once (the last search, for 下一页). None: write to `store` directly.
    redis_writes: Any = None
    # round_trip([(command, *args), ...]): send Redis commands now, in one round trip on the door's
    # own connection (the webhook's, with the writes waiting behind earlier messages in front);
    # answers in order, an error reply as its exception in its place. None: use `store`.
    round_trip: Callable[[list[tuple]], list] | None = None
    _user: WechatUser | None = field(default=None, repr=False)

    @property
    def user(self) -> WechatUser:
        """The sender, loaded (or created) only when a handler asks: help needs no database."""
        if self._user is None:
            self._user = self.user_loader()
        return self._user


# What the routing table and a dialog's steps point at; a returned string is a text reply.
Handler = Callable[[Context], "Reply | str | None"]
