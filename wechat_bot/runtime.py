"""What one app instance holds: config, database, Redis, the WeChat client and the conversation.

Built once by the app factory (the composition root) and kept in app.extensions["alumni_bot"];
nothing of it lives in module globals, which would break with two workers. A view or a command
reaches it through `current_runtime()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from handlers.reunion.passes import pass_key
from models.db import make_engine, make_session_factory
from wechat_bot.config import Config
from wechat_bot.conversation.dialogs import DialogStore
from wechat_bot.conversation.router import Router
from wechat_bot.search_log import SearchLogQueue
from wechat_bot.store import Keys, RoundTrips, connect_store
from wechat_bot.webhook.crypto import MessageCrypto
from wechat_bot.webhook.deadline import DeadlineRunner
from wechat_bot.webhook.dedup import CLAIM_MARGIN_SECONDS, Deduplicator
from wechat_bot.webhook.dispatch import Dispatcher
from wechat_bot.webhook.inbox import InboundQueue
from wechat_bot.webhook.writebehind import WriteBehind


def current_runtime() -> Runtime:
    """The runtime of the app whose context is active: a request's, or a CLI command's."""
    return current_app.extensions["alumni_bot"]


@dataclass
class Runtime:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    store: object
    keys: Keys
    router: Router
    dialogs: DialogStore
    dedup: Deduplicator
    deadline: DeadlineRunner
    dispatcher: Dispatcher
    inbox: InboundQueue
    search_log: SearchLogQueue  # both doors' searches (the API's and the bot's)
    crypto: MessageCrypto | None
    writes: WriteBehind
    extras: dict = field(default_factory=dict)

    @classmethod
    def build(cls, config: Config, routes=None) -> Runtime:
        from wechat_bot.conversation.routes import ROUTES

        engine = make_engine(config.database.url)
        sessions = make_session_factory(engine)
        store = connect_store(config.redis.url)
        keys = Keys(config.redis.key_prefix)
        router = Router(routes or ROUTES)
        dialogs = DialogStore(keys, config.wechat.dialog_ttl_seconds)
        key = config.wechat.encoding_aes_key
        writes = WriteBehind(RoundTrips(store))
        inbox = InboundQueue(store, keys, sessions, upstream=writes.flush)
        search_log = SearchLogQueue(store, keys, sessions, upstream=writes.flush)
        runtime = cls(
            config=config,
            engine=engine,
            sessions=sessions,
            store=store,
            keys=keys,
            router=router,
            dialogs=dialogs,
            dedup=Deduplicator(store, keys, config.wechat.dedup_ttl_seconds,
                               config.wechat.reply_deadline_seconds + CLAIM_MARGIN_SECONDS),
            deadline=DeadlineRunner(config.wechat.reply_deadline_seconds),
            dispatcher=Dispatcher(sessions, router, dialogs, inbox, store, config.features,
                                  search_log=search_log, round_trip=writes.send_with,
                                  pass_key=pass_key(config.app.secret_key)),
            inbox=inbox,
            search_log=search_log,
            crypto=MessageCrypto(key, config.wechat.app_id) if key else None,
            writes=writes,
        )
        runtime.dispatcher.upload_image = runtime.upload_image
        from wechat_bot.my_data import link_maker

        runtime.dispatcher.export_link = link_maker(config.app.secret_key, config.app.base_url,
                                                    config.privacy.export_link_minutes)
        return runtime

    def close(self) -> None:
        """Finish in-flight handlers and write the queued message log (tests, shutdown)."""
        self.deadline.shutdown()
        self.writes.close()
        self.inbox.close()
        self.search_log.close()
        for extra in list(self.extras.values()):  # what a door keeps here
            if callable(getattr(extra, "close", None)):
                extra.close()
        self.engine.dispose()

    @cached_property
    def wechat(self):
        from wechat_bot.wechat_client import build_wechat_client

        return build_wechat_client(self.config, self.store, self.keys)

    def upload_image(self, data: bytes, filename: str) -> str:
        """Upload an image as temporary media (kept three days) and return its media_id: what a
        handler's Image reply names (handed to handlers as `Context.upload_image`)."""
        return self.wechat.media.upload("image", (filename, data))["media_id"]

    @cached_property
    def delivery(self):
        """Push delivery's sender and rate limiter, for the late replies this process sends
        (wechat_bot.webhook.late_reply)."""
        from wechat_bot.push_sender import build_delivery

        return build_delivery(self)
