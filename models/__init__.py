"""Database models: one module per aggregate, plus the engine and session factory."""

from models.base import Base
from models.message_log import MessageLog
from models.wechat_user import WechatUser

__all__ = ["Base", "MessageLog", "WechatUser"]
