"""The request a piece of work belongs to, carried through threads and into the pushes it causes.

A web request takes nginx's `X-Request-ID` when it is well formed, or makes one
(`wechat_bot.observability.request_ids`); every log line made while it runs names it
(`wechat_bot.observability.logs`). Work handed to another thread takes it along with
`in_current_request` (the webhook's deadline thread does); a push queued meanwhile stores it
(`Push.request_id`), and delivery works each row under its push's id, so the delivery log names
the request that caused the message.
"""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

# What we accept from a proxy: nginx's $request_id is 32 hex digits; other proxies use UUIDs or
# similar tokens. Anything else (too long, spaces, quotes, newlines) is replaced, never logged.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request this code runs for, or None (a job, a command)."""
    return _current.get()


def accepted_request_id(offered: str | None) -> str:
    """`offered` when it is a well-formed id, else a new one (32 hex digits, like nginx's)."""
    if offered and _WELL_FORMED.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def enter_request(request_id: str | None) -> contextvars.Token:
    """Make `request_id` current until `leave_request(token)`."""
    return _current.set(request_id)


def leave_request(token: contextvars.Token) -> None:
    _current.reset(token)


@contextmanager
def request_scope(request_id: str | None) -> Iterator[None]:
    """Work for `request_id` (delivery works each push's rows under the push's request)."""
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)


def in_current_request(work: Callable[..., T]) -> Callable[..., T]:
    """`work` to run in another thread as part of the current request (context variables do not
    cross threads by themselves). Each call gets its own copy, so the same wrapped callable may
    run in two threads at once."""
    request_id = _current.get()
    if request_id is None:
        return work

    def run(*args, **kwargs) -> T:
        token = _current.set(request_id)
        try:
            return work(*args, **kwargs)
        finally:
            _current.reset(token)

    return run
