"""Alumni as staff see them: the directory's lookup within the viewer's scope, and one alumnus's
page (their records, binding, privacy, chapters and recent pushes).

The search is the bot's own engine (`handlers.directory.lookup`), called as a `StaffViewer`: the
same words, ranks and index walks, so it is as fast at 1,000,000 alumni, with the role's scope in
place of the alumni's privacy. No totals are counted: a count would cost a scan at 1M, and a page
with "more" is all the pager needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import False_

from handlers.directory.lookup import SearchFilters, SearchPage, StaffViewer, search_alumni
from handlers.staff.scope import Scope
from models import Alumnus, Chapter, ChapterMember, Delivery, Push, WechatUser
from models.push import DeliveryStatus

RECENT_DELIVERIES = 20

DELIVERY_LABELS = {
    DeliveryStatus.PENDING: "排队中", DeliveryStatus.CLAIMED: "排队中",
    DeliveryStatus.SENDING: "发送中", DeliveryStatus.SENT: "已送达",
    DeliveryStatus.FAILED: "失败", DeliveryStatus.UNREACHABLE: "无法送达",
    DeliveryStatus.UNKNOWN: "不确定是否送达",
}


@dataclass(frozen=True)
class RecordFacts:
    """What a hit does not carry but staff tell people apart by."""

    student_id: str
    bound: bool
    privacy: str


def search_for_staff(session: Session, scope: Scope, query: str, *, page: int = 1,
                     per_page: int = 20, filters: SearchFilters | None = None,
                     ) -> tuple[SearchPage, dict[int, RecordFacts]]:
    """One page of the alumni `scope` may see matching `query`, best first, and per hit its
    student ID, whether it is bound and its privacy (one primary-key read for the page).
    Raises lookup.QueryError as the bot's search does."""
    viewer = StaffViewer(None if scope.everything else scope.rows(Alumnus))
    result = search_alumni(session, viewer, query, page=page, per_page=per_page, filters=filters)
    ids = [hit.alumnus_id for hit in result.hits]
    facts = {}
    if ids:
        rows = session.execute(select(Alumnus.id, Alumnus.student_id, Alumnus.wechat_user_id,
                                      Alumnus.privacy).where(Alumnus.id.in_(ids)))
        facts = {row.id: RecordFacts(row.student_id, row.wechat_user_id is not None,
                                     str(row.privacy)) for row in rows}
    return result, facts


@dataclass(frozen=True)
class ChapterMembership:
    chapter_id: int
    name: str
    joined_at: datetime
    channel: str


@dataclass(frozen=True)
class DeliveryLine:
    push_id: int
    kind: str
    text: str
    created_at: datetime
    status: str          # Chinese, DELIVERY_LABELS
    finished_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class AlumnusPage:
    alumnus: Alumnus
    records: list[Alumnus]       # every record of this person the scope may see, this one first
    user: WechatUser | None      # the WeChat user bound to it
    chapters: list[ChapterMembership]
    deliveries: list[DeliveryLine] | None  # None: this role may not see pushes (scope.py)


def alumnus_page(session: Session, scope: Scope, alumnus: Alumnus) -> AlumnusPage:
    """What the admin shows about `alumnus`, a record the caller has loaded within `scope`.

    Their other records (one person may hold 本科 and 硕士) are those bound to the same WeChat
    user, filtered by the scope as well: a college account never learns of a record in another
    college. Deliveries follow the scope's Delivery rule (a college sees none, a liaison only their
    chapter's broadcasts). Chapters are the person's memberships, shown to whoever may see them.
    """
    user = session.get(WechatUser, alumnus.wechat_user_id) if alumnus.wechat_user_id else None
    records = [alumnus]
    if user is not None:
        records += session.scalars(
            select(Alumnus).where(Alumnus.wechat_user_id == user.id, Alumnus.id != alumnus.id,
                                  scope.rows(Alumnus)).order_by(Alumnus.graduation_year))
    return AlumnusPage(alumnus, records, user,
                       _chapters(session, user) if user else [],
                       _deliveries(session, scope, user) if _sees_pushes(scope) else None)


def _sees_pushes(scope: Scope) -> bool:
    """Whether the scope's Delivery rule lets any row through (read from the rule, not restated)."""
    return not isinstance(scope.rows(Delivery), False_)


def _chapters(session: Session, user: WechatUser) -> list[ChapterMembership]:
    rows = session.execute(
        select(Chapter.id, Chapter.name, ChapterMember.joined_at, ChapterMember.channel)
        .join(Chapter, Chapter.id == ChapterMember.chapter_id)
        .where(ChapterMember.wechat_user_id == user.id).order_by(ChapterMember.joined_at))
    return [ChapterMembership(*row) for row in rows]


def _deliveries(session: Session, scope: Scope, user: WechatUser | None) -> list[DeliveryLine]:
    if user is None:
        return []
    rows = session.execute(
        select(Push.id, Push.kind, Push.text, Push.created_at, Delivery.status,
               Delivery.finished_at, Delivery.error)
        .join(Push, Push.id == Delivery.push_id)
        .where(Delivery.wechat_user_id == user.id, scope.rows(Delivery))
        .order_by(Delivery.id.desc()).limit(RECENT_DELIVERIES))
    return [DeliveryLine(push_id, kind, text, created, DELIVERY_LABELS.get(status, str(status)),
                         finished, error)
            for push_id, kind, text, created, status, finished, error in rows]


def contact_of(alumnus: Alumnus) -> tuple[str | None, str | None]:
    """Phone and e-mail, for the admin's reveal (the caller writes `contact_viewed` first)."""
    return alumnus.phone, alumnus.email
