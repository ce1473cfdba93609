"""What an API view reaches for: the runtime, the clock, the token service, the feature settings,
and the signed-in user loaded in the request's session."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from sqlalchemy.orm import Session

from handlers.settings import Settings
from models import WechatUser
from wechat_bot.api.errors import unauthorized
from wechat_bot.api.tokens import TokenService, current_identity

CHANNEL = "api"  # how SearchLog and BindingEvent name this door


def runtime():
    return current_app.extensions["alumni_bot"]


def now() -> datetime:
    return datetime.now(UTC)


def token_service() -> TokenService:
    rt = runtime()
    service = rt.extras.get("api.tokens")
    if service is None:
        service = rt.extras["api.tokens"] = TokenService(rt.config.app.secret_key, rt.store, rt.keys)
    return service


def settings() -> Settings:
    """The same feature settings the bot's dispatcher is given, so both doors share one limit."""
    rt = runtime()
    found = rt.extras.get("api.settings")
    if found is None:
        from wechat_bot.runtime import feature_settings

        found = rt.extras["api.settings"] = feature_settings(rt.config)
    return found


def current_user(session: Session) -> WechatUser:
    """The signed-in WeChat user, in `session`; 401 if the user no longer exists."""
    user = session.get(WechatUser, current_identity().user_id)
    if user is None:
        raise unauthorized("登录已失效，请重新登录。", code="invalid_token")
    return user
