"""What 我的数据 shows and 注销 erases of chapters: the person's memberships (handlers.privacy).

Liaisons and class ambassadors are named by staff on the school's record; they stay."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import WechatUser
from models.chapter import Chapter, ChapterMember


def export_chapters(session: Session, user: WechatUser) -> list[dict[str, Any]]:
    rows = session.execute(select(ChapterMember, Chapter).join(Chapter, Chapter.id == ChapterMember.chapter_id)
                           .where(ChapterMember.wechat_user_id == user.id).order_by(ChapterMember.id)).all()
    return [{"chapter": c.id, "name": c.name, "joined_at": m.joined_at, "channel": m.channel}
            for m, c in rows]


def erase_chapters(session: Session, user: WechatUser) -> int:
    return session.execute(delete(ChapterMember).where(ChapterMember.wechat_user_id == user.id)
                           .execution_options(synchronize_session=False)).rowcount
