"""What the answer step runs for a new message: `dispatch(message, dialog, plan)` — the user, the
handler in one transaction, the commit — and `record`, the Redis writes that follow it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from handlers.context import Context, DialogState, Message, input_mask
from handlers.interactions import Inbound
from handlers.settings import Settings
from models import WechatUser
from models.wechat_user import JOB_RECEIPT_EVENTS, WINDOW_OPENING_EVENTS
from telemetry import metrics
from wechat_bot.conversation.dialogs import DialogStore
from wechat_bot.conversation.normalize import normalize
from wechat_bot.conversation.router import Plan, Routed, Router
from wechat_bot.notify import notify_users
from wechat_bot.search_log import SearchLogQueue
from wechat_bot.store import CommandBatch
from wechat_bot.webhook.inbox import InboundQueue

log = logging.getLogger(__name__)

LOGGED_CONTENT_CHARS = 500


class Dispatcher:
    def __init__(self, sessions: sessionmaker[Session], router: Router, dialogs: DialogStore,
                 inbox: InboundQueue, store, settings: Settings, clock=None, *,
                 search_log: SearchLogQueue | None = None, round_trip=None, pass_key: bytes = b"",
                 upload_image=None, export_link=None) -> None:
        self._sessions = sessions
        _note_writes(sessions)
        self._router = router
        self._dialogs = dialogs
        self._inbox = inbox
        self._search_log = search_log
        # send(batch) -> answers: the webhook's own Redis connection, the waiting writes in front
        self._round_trip = round_trip
        self._store = store
        self._settings = settings
        self._clock = clock or (lambda: datetime.now(UTC))
        # What handlers are handed besides notify: the reunion passes' key and the media upload
        # (the runtime's one WeChat client, set once the runtime exists).
        self.pass_key = pass_key
        self.upload_image = upload_image
        self.export_link = export_link  # the 我的数据 download URL (handlers.privacy.links)

    def dispatch(self, message: Message, dialog: DialogState, plan: Plan) -> Handled:
        """Run the router's `plan` for `message` in one transaction. `dialog` is the user's state,
        which the webhook reads in its dedup round trip and the plan may already have changed.
        What follows in Redis (the dialog's new state, the log record) is returned for `record`,
        so the caller can send it with its own writes."""
        started = time.perf_counter()
        now = self._clock()
        searches: list = []  # the search-log lines the handler queued (Context.search_log)
        writes = CommandBatch()  # its Redis writes that go before the reply (Context.redis_writes)
        if plan.inline:
            # Instant handlers answer from memory: no session at all (one would cost more than help).
            routed = plan.run(self._context(message, dialog, now, None, _no_database, searches, writes))
        else:
            # The session begins (and takes a connection) only if the handler touches it or the user.
            with self._sessions() as session:
                routed = plan.run(self._context(
                    message, dialog, now, session,
                    lambda: find_or_create_user(session, message.from_user, now), searches, writes))
                wrote = session.info.pop(WROTE, False)
                if session.in_transaction():
                    session.commit()
        if searches:  # the bot's side of the search latency (the API's: wechat_bot.api.alumni)
            metrics.SEARCH_SECONDS.labels("bot").observe(time.perf_counter() - started)
        return Handled(message.from_user, routed, dialog, _inbound(message, plan, routed, now, started),
                       tuple(searches), tuple(writes.commands), wrote=not plan.inline and wrote)

    def _context(self, message: Message, dialog: DialogState, now: datetime, session, user_loader,
                 searches: list, writes: CommandBatch) -> Context:
        return Context(session=session, message=message, store=self._store, now=now,
                       settings=self._settings, dialog=dialog, notify=notify_users,
                       upload_image=self.upload_image, pass_key=self.pass_key,
                       export_link=self.export_link,
                       available_commands=self._router.available_commands, user_loader=user_loader,
                       search_log=searches.append if self._search_log is not None else None,
                       redis_writes=writes,
                       round_trip=self._send_now if self._round_trip is not None else None)

    def _send_now(self, commands: list[tuple]) -> list:
        batch = CommandBatch()
        for command in commands:
            batch.execute_command(*command)
        return self._round_trip(batch)

    def record(self, handled: Handled, pipe) -> None:
        """Queue the Redis writes that follow a committed handler on `pipe`."""
        for command in handled.writes:  # on a batch, or a redis-py pipeline (late_reply.py)
            pipe.execute_command(*command)
        if handled.dialog.changed:
            self._dialogs.save(handled.openid, handled.dialog, pipe)
        self._inbox.push(handled.inbound, pipe)
        for record in handled.searches:
            self._search_log.push(record, pipe)

    def record_without_redis(self, handled: Handled) -> None:
        """With Redis down: the log lines (and so the user's reply window) straight to the
        database; the dialog's new state and the handler's other Redis writes are lost, as every
        reply then says."""
        try:
            self._inbox.write_now(handled.inbound)
            for record in handled.searches:
                self._search_log.write_now(record)
        except Exception:
            log.exception("Redis 不可用时直接写入消息日志失败")


@dataclass(frozen=True)
class Handled:
    openid: str
    routed: Routed
    dialog: DialogState
    inbound: Inbound
    searches: tuple = ()  # search-log lines, for the search-log queue
    writes: tuple = ()    # Redis commands the handler asked to have sent before the reply
    wrote: bool = False   # the handler changed the database (a booking, a registration)

    @property
    def reply(self):
        return self.routed.reply

    @property
    def urgent(self) -> bool:
        """Redis writes the next message may need at once: sent before the reply, not behind it.
        A handler that changed the database also has its reply stored before it is sent: a
        retry must find it even if this worker dies right after (dedup.py), or it would run
        the handler, and its booking or registration, a second time."""
        return self.dialog.changed or bool(self.writes) or self.wrote


WROTE = "alumni_bot.wrote"  # set in Session.info once a session has written


def _note_writes(sessions: sessionmaker[Session]) -> None:
    """Mark each session from `sessions` that writes: an ORM flush, or an INSERT, UPDATE or
    DELETE statement executed through it."""
    if event.contains(sessions, "after_flush", _flushed):
        return
    event.listen(sessions, "after_flush", _flushed)
    event.listen(sessions, "do_orm_execute", _executed)


def _flushed(session: Session, _context) -> None:
    session.info[WROTE] = True


def _executed(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


def _inbound(message: Message, plan: Plan, routed: Routed, now: datetime, started: float) -> Inbound:
    text = _logged_text(message, plan)
    opens = not message.is_event or message.event in WINDOW_OPENING_EVENTS
    return Inbound(
        openid=message.from_user, at=now, msg_type=message.msg_type, event=message.event,
        msg_id=message.msg_id, content=text[:LOGGED_CONTENT_CHARS] if text else None,
        handler=routed.handler[:128], reply_kind=type(routed.reply).__name__.lower(),
        elapsed_ms=int((time.perf_counter() - started) * 1000),
        opens_window=opens, is_message=not message.is_event,
        is_receipt=message.is_event and message.event in JOB_RECEIPT_EVENTS,
    )


def _logged_text(message: Message, plan: Plan) -> str | None:
    """The message as the log keeps it: as sent, unless the handler it reached declared its input
    sensitive (`handlers.context.logged_as`); then as the router read it, that input masked."""
    mask = input_mask(plan.handler) if message.text else None
    if mask is None:
        return message.text or message.event_key or message.label
    said = normalize(message.text)
    if not said.endswith(plan.args):  # arguments gathered from a pattern's groups
        return mask(said)
    return said[:len(said) - len(plan.args)] + mask(plan.args)


def _no_database():
    raise RuntimeError("a handler the routing table lists as instant asked for the user: "
                       "take it off RoutingTable.instant")


def find_or_create_user(session: Session, openid: str, now: datetime) -> WechatUser:
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
