"""A person as WeChat knows them: a follower of the official account and/or a mini-program user."""

from datetime import datetime, timedelta

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

# WeChat's customer-service allowance (PROTOCOL.md section 6): a user's own message opens 48 hours,
# a menu click, subscribe or scan opens one minute.
MESSAGE_WINDOW = timedelta(hours=48)
EVENT_WINDOW = timedelta(minutes=1)
# Events that open that one-minute window; a VIEW, a LOCATION report or a job receipt does not.
WINDOW_OPENING_EVENTS = frozenset({"CLICK", "scancode_push", "scancode_waitmsg", "subscribe", "SCAN"})
# WeChat's receipts for our own sends: FromUserName is a recipient, or WeChat's mass-send
# assistant, and nobody did anything, so they create no user and open no window.
JOB_RECEIPT_EVENTS = frozenset({"TEMPLATESENDJOBFINISH", "MASSSENDJOBFINISH"})


class WechatUser(Base):
    __tablename__ = "wechat_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    miniprogram_openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64), unique=True)
    # When WeChat was last asked for this follower's unionid (user/info); None: not yet, so the
    # scheduler asks (handlers.identity). Following again clears it.
    unionid_checked_at: Mapped[datetime | None]
    subscribed: Mapped[bool] = mapped_column(default=False, index=True)  # the dashboard's count
    subscribed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    first_interaction_at: Mapped[datetime | None]
    last_interaction_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime | None]
    last_latitude: Mapped[float | None]
    last_longitude: Mapped[float | None]
    last_location_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # Set by 注销 (handlers.privacy): the row stays as a nameless placeholder so that counts and
    # the rows of others that point at it hold, but it has no openid and no personal data left;
    # the person's next message creates a new user.
    erased_at: Mapped[datetime | None]

    def record_interaction(self, at: datetime, *, is_message: bool) -> None:
        """Note that the user reached us; the customer-service window is measured from here."""
        if self.first_interaction_at is None:
            self.first_interaction_at = at
        self.last_interaction_at = at
        if is_message:
            self.last_message_at = at

    def subscribe(self, at: datetime) -> None:
        self.subscribed = True
        self.subscribed_at = at
        self.unsubscribed_at = None
        if self.unionid is None:
            self.unionid_checked_at = None  # the account may have joined an open platform since

    def unsubscribe(self, at: datetime) -> None:
        self.subscribed = False
        self.unsubscribed_at = at

    def report_location(self, latitude: float, longitude: float, at: datetime) -> None:
        self.last_latitude = latitude
        self.last_longitude = longitude
        self.last_location_at = at

    def in_customer_service_window(self, now: datetime) -> bool:
        """Whether WeChat still accepts a customer-service message to this user."""
        if self.last_message_at and now - self.last_message_at < MESSAGE_WINDOW:
            return True
        return bool(self.last_interaction_at and now - self.last_interaction_at < EVENT_WINDOW)
