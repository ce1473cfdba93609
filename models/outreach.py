"""The yearly anniversary outreach (秩年返校邀请): which class was invited in which year.

One row per (year, graduating class), written in the same transaction as the invitation push, so
the daily outreach job invites each class at most once a year however often it runs. The rules that
write it are the reunion feature's (handlers/reunion/outreach.py).
"""

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import models.push  # noqa: F401  (the push table push_id refers to)
from models.base import Base


class AnniversaryOutreach(Base):
    __tablename__ = "anniversary_outreach"
    __table_args__ = (UniqueConstraint("year", "graduation_year",
                                       name="uq_anniversary_outreach_year_class"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]              # the year of the invitation
    graduation_year: Mapped[int]   # the class (届) invited
    anniversary: Mapped[int]       # year - graduation_year: 10, 20, …
    push_id: Mapped[int | None] = mapped_column(ForeignKey("push.id", ondelete="SET NULL"))
    recipients: Mapped[int]        # bound alumni of the class at the time (0: no push queued)
    queued_at: Mapped[datetime]
