"""What 我的数据 shows and 注销 erases of identity reviews (人工核验; handlers.privacy calls these).

A request still waiting is withdrawn (deleted: nobody decided anything on it). A decided one stays
as the staff's record of a decision (when, by whom, the outcome, the college and year the queue
counts) but loses what the person typed: name, major, student ID and the photo's link."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models import WechatUser
from models.verification import VerificationRequest, VerificationStatus

ERASED = "（已注销）"


def export_verifications(session: Session, user: WechatUser) -> list[dict[str, Any]]:
    rows = session.scalars(select(VerificationRequest).where(VerificationRequest.wechat_user_id == user.id)
                           .order_by(VerificationRequest.id))
    return [{"number": r.id, "name": r.name, "graduation_year": r.graduation_year, "college": r.college,
             "major": r.major, "student_id": r.student_id, "photo_url": r.photo_url, "channel": r.channel,
             "created_at": r.created_at, "status": r.status.value, "decided_at": r.decided_at,
             "reason": r.reason} for r in rows]


def erase_verifications(session: Session, user: WechatUser) -> int:
    mine = VerificationRequest.wechat_user_id == user.id
    withdrawn = session.execute(delete(VerificationRequest)
                                .where(mine, VerificationRequest.status == VerificationStatus.PENDING)
                                .execution_options(synchronize_session=False)).rowcount
    cleared = session.execute(update(VerificationRequest).where(mine).values(
        name=ERASED, name_key="", major=ERASED, student_id=None, photo_url=None, photo_media_id=None)
        .execution_options(synchronize_session=False)).rowcount
    return withdrawn + cleared
