"""What 我的数据 shows and 注销 erases of circles (handlers.privacy calls these).

Memberships go (a class circle's membership is the binding itself, which 注销 removes). A
proposal still waiting is withdrawn (rejected with a note); a circle that was approved stays, it
is its members' now, but no longer names who proposed it; notices posted stay with their circle
and lose their author.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models import WechatUser
from models.circle import Circle, CircleMember, CircleNotice, CircleStatus

WITHDRAWN_NOTE = "申请人已注销账号"


def export_circles(session: Session, user: WechatUser) -> dict[str, Any]:
    members = session.execute(select(CircleMember, Circle).join(Circle, Circle.id == CircleMember.circle_id)
                              .where(CircleMember.wechat_user_id == user.id)
                              .order_by(CircleMember.id)).all()
    proposed = session.scalars(select(Circle).where(Circle.proposed_by == user.id).order_by(Circle.id))
    notices = session.execute(select(CircleNotice, Circle.name).join(Circle, Circle.id == CircleNotice.circle_id)
                              .where(CircleNotice.author_user_id == user.id)
                              .order_by(CircleNotice.id)).all()
    return {
        "memberships": [{"circle": c.id, "name": c.name, "role": m.role.value, "status": m.status.value,
                         "joined_at": m.joined_at} for m, c in members],
        "proposals": [{"circle": c.id, "name": c.name, "intro": c.intro, "status": c.status.value,
                       "created_at": c.created_at} for c in proposed],
        "notices": [{"circle": name, "text": n.text, "created_at": n.created_at} for n, name in notices],
    }


def erase_circles(session: Session, user: WechatUser, *, now: dt.datetime) -> int:
    """Returns how many memberships were removed."""
    removed = session.execute(delete(CircleMember).where(CircleMember.wechat_user_id == user.id)
                              .execution_options(synchronize_session=False)).rowcount
    session.execute(update(Circle).where(Circle.proposed_by == user.id, Circle.status == CircleStatus.PENDING)
                    .values(status=CircleStatus.REJECTED, decided_at=now, decision_note=WITHDRAWN_NOTE)
                    .execution_options(synchronize_session=False))
    session.execute(update(Circle).where(Circle.proposed_by == user.id).values(proposed_by=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(CircleNotice).where(CircleNotice.author_user_id == user.id)
                    .values(author_user_id=None).execution_options(synchronize_session=False))
    return removed
