"""What an API view reaches for besides the runtime (`wechat_bot.runtime.current_runtime`): the
clock, the token service, the feature settings, the search log's queue, and the signed-in user
loaded in the request's session."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from handlers.directory.searching import SearchRecord
from handlers.settings import Settings
from models import WechatUser
from wechat_bot.api.errors import ApiError, unauthorized
from wechat_bot.api.tokens import TokenService, current_identity
from wechat_bot.log_queue import LogQueue
from wechat_bot.runtime import current_runtime

CHANNEL = "api"  # how SearchLog and BindingEvent name this door


def now() -> datetime:
    return datetime.now(UTC)


def token_service() -> TokenService:
    rt = current_runtime()
    service = rt.extras.get("api.tokens")
    if service is None:
        service = rt.extras["api.tokens"] = TokenService(rt.config.app.secret_key, rt.store, rt.keys)
    return service


def settings() -> Settings:
    """The same feature settings the bot's dispatcher is given, so both doors share one limit."""
    return current_runtime().config.features


def search_log(rt=None) -> LogQueue[SearchRecord]:
    """The API's searches go to the search log through Redis, written in batches by a flusher,
    so a search's own transaction writes nothing (no commit waiting on the disk). The bot's
    searches go through the same queue (wechat_bot.search_log)."""
    return (rt or current_runtime()).search_log


def user_gone() -> ApiError:
    """The token is valid but its user no longer exists."""
    return unauthorized("登录已失效，请重新登录。", code="invalid_token")


def current_user(session: Session) -> WechatUser:
    """The signed-in WeChat user, in `session`; 401 if the user no longer exists."""
    user = session.get(WechatUser, current_identity().user_id)
    if user is None or user.erased_at is not None:  # gone, or erased by 注销
        raise user_gone()
    return user
