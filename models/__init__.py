"""Database models: one module per aggregate, plus the engine and session factory."""

from models.alumnus import Alumnus, Privacy
from models.audit import BindingEvent, SearchLog, StaffAlert
from models.base import Base
from models.message_log import MessageLog
from models.wechat_user import WechatUser

__all__ = ["Alumnus", "Base", "BindingEvent", "MessageLog", "Privacy", "SearchLog", "StaffAlert",
           "WechatUser"]
