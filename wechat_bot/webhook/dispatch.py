"""Everything behind the webhook's `dispatch(message)`: the user, the router, the log, the commit."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from handlers.context import Context, Message
from handlers.settings import Settings
from models import MessageLog, WechatUser
from models.wechat_user import WINDOW_OPENING_EVENTS
from wechat_bot.conversation.dialogs import DialogStore
from wechat_bot.conversation.router import Routed, Router

LOGGED_CONTENT_CHARS = 500


class Dispatcher:
    def __init__(self, sessions: sessionmaker[Session], router: Router, dialogs: DialogStore,
                 store, settings: Settings, clock=None) -> None:
        self._sessions = sessions
        self._router = router
        self._dialogs = dialogs
        self._store = store
        self._settings = settings
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def dispatch(self, message: Message) -> Routed:
        """Route one message in one transaction; dialog state is saved only once it committed."""
        started = time.perf_counter()
        now = self._clock()
        dialog = self._dialogs.load(message.from_user)
        with self._sessions.begin() as session:
            user = _find_or_create_user(session, message.from_user, now)
            if not message.is_event or message.event in WINDOW_OPENING_EVENTS:
                user.record_interaction(now, is_message=not message.is_event)
            ctx = Context(session=session, user=user, message=message, store=self._store, now=now,
                          settings=self._settings, dialog=dialog)
            routed = self._router.route(ctx)
            session.add(MessageLog(
                wechat_user_id=user.id,
                received_at=now,
                msg_type=message.msg_type,
                event=message.event,
                msg_id=message.msg_id,
                content=_loggable(message),
                handler=routed.handler[:128],
                reply_kind=type(routed.reply).__name__.lower(),
                elapsed_ms=int((time.perf_counter() - started) * 1000),
            ))
        if dialog.changed:
            self._dialogs.save(message.from_user, dialog)
        return routed


def _loggable(message: Message) -> str | None:
    text = message.text or message.event_key or message.label
    return text[:LOGGED_CONTENT_CHARS] if text else None


def _find_or_create_user(session: Session, openid: str, now: datetime) -> WechatUser:
    user = session.scalar(select(WechatUser).where(WechatUser.openid == openid))
    if user is not None:
        return user
    try:
        # Two first messages of a new follower can race; the unique openid decides, the loser reads.
        with session.begin_nested():
            user = WechatUser(openid=openid, created_at=now, subscribed=True)
            session.add(user)
        return user
    except IntegrityError:
        return session.scalars(select(WechatUser).where(WechatUser.openid == openid)).one()
