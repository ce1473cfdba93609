"""What alumni sent the account and what kind of answer they got, for support and audit."""

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class MessageLog(Base):
    __tablename__ = "message_log"
    __table_args__ = (Index("ix_message_log_openid_received", "openid", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The openid, not a foreign key: the log is written in batches, apart from the user rows.
    openid: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]
    msg_type: Mapped[str] = mapped_column(String(32))
    event: Mapped[str | None] = mapped_column(String(64))
    msg_id: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[str | None] = mapped_column(Text)
    handler: Mapped[str | None] = mapped_column(String(128))
    reply_kind: Mapped[str | None] = mapped_column(String(16))
    elapsed_ms: Mapped[int | None]
