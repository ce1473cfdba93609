"""What alumni sent the account and what kind of answer they got, for support and audit."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class MessageLog(Base):
    __tablename__ = "message_log"
    __table_args__ = (Index("ix_message_log_user_received", "wechat_user_id", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_user.id", ondelete="CASCADE"))
    received_at: Mapped[datetime]
    msg_type: Mapped[str] = mapped_column(String(32))
    event: Mapped[str | None] = mapped_column(String(64))
    msg_id: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[str | None] = mapped_column(Text)
    handler: Mapped[str | None] = mapped_column(String(128))
    reply_kind: Mapped[str | None] = mapped_column(String(16))
    elapsed_ms: Mapped[int | None]
