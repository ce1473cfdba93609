"""Interest circles: an alumnus proposes one (创建校友圈 羽毛球), staff approve or reject it on the
admin page, and the proposer is told either way. On approval the proposer is its first member and
its admin (圈管理员)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.circles import texts
from handlers.circles.membership import CircleRefused, Refusal
from handlers.circles.settings import CircleSettings
from handlers.directory.binding import bound_records
from handlers.notices import Notify
from models import WechatUser
from models.circle import Circle, CircleKind, CircleMember, CircleRole, CircleStatus, MemberStatus

NAME_MAX = 20
INTRO_MAX = 200
DECIDED_BY = "circles:decision"   # the proposer's push, as staff see its cause
NAME_PATTERN = r"^[\w\u3400-\u9fff·\-+& ]+$"   # letters (any script), digits, a few joiners
_NAME = re.compile(NAME_PATTERN)


def clean_name(name: str) -> str:
    """The circle's name as kept, or CircleRefused(INVALID) saying what is wrong."""
    name = " ".join((name or "").split())
    if not name:
        raise CircleRefused(Refusal.INVALID, texts.PROPOSE_USAGE)
    if len(name) > NAME_MAX:
        raise CircleRefused(Refusal.INVALID, texts.NAME_TOO_LONG.format(limit=NAME_MAX))
    if not _NAME.match(name):
        raise CircleRefused(Refusal.INVALID, texts.NAME_BAD_CHARACTERS)
    return name


def propose_circle(session: Session, user: WechatUser, name: str, intro: str | None, *,
                   now: datetime, settings: CircleSettings) -> Circle:
    """A pending interest circle proposed by `user` (bound alumni only)."""
    name = clean_name(name)
    intro = " ".join((intro or "").split())[:INTRO_MAX] or None
    if not bound_records(session, user):
        raise CircleRefused(Refusal.NOT_BOUND, texts.NOT_BOUND)
    if name_in_use(session, name):
        raise CircleRefused(Refusal.NAME_TAKEN, texts.NAME_TAKEN.format(name=name))
    waiting = session.scalar(select(func.count()).select_from(Circle).where(
        Circle.proposed_by == user.id, Circle.status == CircleStatus.PENDING)) or 0
    if waiting >= settings.pending_proposals:
        raise CircleRefused(Refusal.LIMIT, texts.TOO_MANY_PROPOSALS.format(limit=settings.pending_proposals))
    circle = Circle(kind=CircleKind.INTEREST, name=name, intro=intro, status=CircleStatus.PENDING,
                    proposed_by=user.id, created_at=now)
    session.add(circle)
    session.flush()
    return circle


def name_in_use(session: Session, name: str) -> bool:
    """An interest circle of that name is open or waiting (a rejected or closed one frees it)."""
    return session.scalar(select(Circle.id).where(
        Circle.kind == CircleKind.INTEREST, func.lower(Circle.name) == name.lower(),
        Circle.status.in_((CircleStatus.PENDING, CircleStatus.ACTIVE))).limit(1)) is not None


def decide_proposal(session: Session, circle: Circle, *, approve: bool, actor: str, now: datetime,
                    note: str | None = None, notify: Notify | None = None) -> bool:
    """Approve or reject a pending proposal; False when it is no longer pending. The proposer
    is told through `notify` (the outbox) either way."""
    if circle.kind is not CircleKind.INTEREST or circle.status is not CircleStatus.PENDING:
        return False
    circle.status = CircleStatus.ACTIVE if approve else CircleStatus.REJECTED
    circle.decided_at, circle.decided_by = now, actor
    circle.decision_note = (" ".join((note or "").split())[:200] or None) if not approve else None
    if approve and circle.proposed_by is not None:
        session.add(CircleMember(circle_id=circle.id, wechat_user_id=circle.proposed_by,
                                 role=CircleRole.ADMIN, status=MemberStatus.ACTIVE, joined_at=now,
                                 changed_at=now, channel="proposal"))
    session.flush()
    if notify is not None and circle.proposed_by is not None:
        text = (texts.approved(circle.name, circle.id) if approve
                else texts.rejected(circle.name, circle.decision_note))
        notify(session, [circle.proposed_by], text, now, created_by=DECIDED_BY)
    return True


def pending_proposals(session: Session) -> list[Circle]:
    return list(session.scalars(select(Circle).where(Circle.status == CircleStatus.PENDING)
                                .order_by(Circle.created_at, Circle.id)))
