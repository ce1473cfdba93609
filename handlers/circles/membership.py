"""Who is in a circle, joining and leaving, and the roles (圈管理员).

A class circle (班级圈) is one per (college, graduation year), the class as the directory's privacy
rule 「同学」 has it: its members are every alumnus bound to a record of that class, without
joining, except those who left or were removed (a `CircleMember` row saying so). It comes into
being the first time one of its alumni looks (`class_circles_of`), so nobody creates it. An
interest circle's members are its active `CircleMember` rows. `member_users` says both in one
statement: the `circle:<id>` push audience and every count.

Only verified (bound) alumni join. A removed member does not come back by themself; one who left
may. A circle admin removes members, not other admins; staff name and unname admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.circles import texts
from handlers.directory.binding import bound_records
from models import Alumnus, WechatUser
from models.circle import Circle, CircleKind, CircleMember, CircleRole, CircleStatus, MemberStatus

MAX_ID = 2**31 - 1


class Refusal(StrEnum):
    """Why a circle action was refused; the doors turn each into a reply or an HTTP status."""

    NO_SUCH_CIRCLE = "no_such_circle"   # unknown number, or not an active circle
    NOT_BOUND = "not_bound"
    NOT_IN_CLASS = "not_in_class"       # a class circle is its class's only
    REMOVED = "removed"                 # removed by an admin: not back by oneself
    ALREADY_MEMBER = "already_member"
    NOT_MEMBER = "not_member"
    NOT_ADMIN = "not_admin"
    NO_SUCH_MEMBER = "no_such_member"
    AMBIGUOUS_MEMBER = "ambiguous_member"
    CANNOT_REMOVE = "cannot_remove"     # oneself, or another admin
    LIMIT = "limit"                     # too many notices or proposals
    INVALID = "invalid"                 # a name or a text that cannot be used
    NAME_TAKEN = "name_taken"


class CircleRefused(Exception):
    """A refusal: `reason` for the doors, `message` a Chinese sentence for the alumnus."""

    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class CircleView:
    id: int
    name: str
    kind: CircleKind
    intro: str | None
    members: int
    role: CircleRole | None   # the viewer's, None when not a member


# --- who is in a circle ----------------------------------------------------------------------

def class_circle_name(college: str, year: int) -> str:
    return f"{college} {year}届" if college else f"{year}届"


def _classmates(circle_id: int) -> Select:
    """Users bound to a record of the class of class circle `circle_id` (none for another kind)."""
    return (select(Alumnus.wechat_user_id)
            .join(Circle, and_(Circle.id == circle_id, Circle.kind == CircleKind.CLASS,
                               Circle.graduation_year == Alumnus.graduation_year,
                               Circle.college == func.coalesce(Alumnus.college, "")))
            .where(Alumnus.wechat_user_id.is_not(None)))


def member_users(circle_id: int) -> Select:
    """The WeChat user ids of an active circle's members, each once: the `circle:<id>` audience."""
    gone = select(CircleMember.wechat_user_id).where(CircleMember.circle_id == circle_id,
                                                      CircleMember.status != MemberStatus.ACTIVE)
    # Only verified alumni are members: one who unbinds drops out of every circle at once.
    bound = select(Alumnus.wechat_user_id).where(Alumnus.wechat_user_id.is_not(None))
    joined = select(CircleMember.wechat_user_id).where(CircleMember.circle_id == circle_id,
                                                        CircleMember.status == MemberStatus.ACTIVE,
                                                        CircleMember.wechat_user_id.in_(bound))
    active = exists().where(Circle.id == circle_id, Circle.status == CircleStatus.ACTIVE)
    return select(WechatUser.id).where(
        active, or_(WechatUser.id.in_(joined),
                    and_(WechatUser.id.in_(_classmates(circle_id)), WechatUser.id.not_in(gone))))


def member_count(session: Session, circle_id: int) -> int:
    return session.scalar(select(func.count()).select_from(member_users(circle_id).subquery())) or 0


def is_member(session: Session, circle_id: int, user_id: int) -> bool:
    return bool(session.scalar(select(exists(member_users(circle_id).where(WechatUser.id == user_id)))))


def role_of(session: Session, circle: Circle, user_id: int) -> CircleRole | None:
    """The user's role in the circle; None when they are not a member."""
    if not is_member(session, circle.id, user_id):
        return None
    row = _row(session, circle.id, user_id)
    return row.role if row is not None else CircleRole.MEMBER


def is_admin(session: Session, circle: Circle, user_id: int) -> bool:
    return role_of(session, circle, user_id) is CircleRole.ADMIN


def _row(session: Session, circle_id: int, user_id: int) -> CircleMember | None:
    return session.scalar(select(CircleMember).where(CircleMember.circle_id == circle_id,
                                                     CircleMember.wechat_user_id == user_id))


def in_class(session: Session, circle: Circle, user_id: int) -> bool:
    return bool(session.scalar(select(exists(_classmates(circle.id).where(
        Alumnus.wechat_user_id == user_id)))))


# --- class circles come by themselves ----------------------------------------------------------

def class_circles_of(session: Session, user: WechatUser, *, now: datetime) -> list[Circle]:
    """The class circles of the user's bound records, created where they are not yet."""
    circles = []
    for college, year in sorted({(r.college or "", r.graduation_year)
                                 for r in bound_records(session, user)}):
        circles.append(ensure_class_circle(session, college, year, now=now))
    return circles


def ensure_class_circle(session: Session, college: str, year: int, *, now: datetime) -> Circle:
    """The class circle of (college, year); the unique constraint settles two at once."""
    wanted = (Circle.kind == CircleKind.CLASS, Circle.college == college,
              Circle.graduation_year == year)
    found = session.scalar(select(Circle).where(*wanted))
    if found is not None:
        return found
    try:
        with session.begin_nested():
            circle = Circle(kind=CircleKind.CLASS, name=class_circle_name(college, year),
                            college=college, graduation_year=year, status=CircleStatus.ACTIVE,
                            created_at=now)
            session.add(circle)
        return circle
    except IntegrityError:
        return session.scalars(select(Circle).where(*wanted)).one()


# --- listing ---------------------------------------------------------------------------------

def my_circles(session: Session, user: WechatUser, *, now: datetime) -> list[CircleView]:
    """The user's circles: their class circles first (unless they left), then interest circles."""
    class_circles = class_circles_of(session, user, now=now)
    joined = session.scalars(
        select(Circle).join(CircleMember, CircleMember.circle_id == Circle.id)
        .where(CircleMember.wechat_user_id == user.id, CircleMember.status == MemberStatus.ACTIVE,
               Circle.status == CircleStatus.ACTIVE, Circle.kind == CircleKind.INTEREST)
        .order_by(CircleMember.joined_at, Circle.id))
    views = []
    for circle in [*class_circles, *joined]:
        role = role_of(session, circle, user.id)
        if role is not None:
            views.append(view_of(session, circle, role))
    return views


def open_circles(session: Session, user: WechatUser | None, *, limit: int = 10,
                 now: datetime | None = None) -> list[CircleView]:
    """Circles the user may join: their own class circles they left (with `now`), then active
    interest circles they are not in, the most members first."""
    members = (select(func.count()).select_from(CircleMember)
               .where(CircleMember.circle_id == Circle.id, CircleMember.status == MemberStatus.ACTIVE)
               .scalar_subquery())
    query = select(Circle).where(Circle.kind == CircleKind.INTEREST, Circle.status == CircleStatus.ACTIVE)
    if user is not None:
        query = query.where(Circle.id.not_in(
            select(CircleMember.circle_id).where(CircleMember.wechat_user_id == user.id,
                                                 CircleMember.status != MemberStatus.LEFT)))
    circles = list(session.scalars(query.order_by(members.desc(), Circle.id).limit(limit)))
    if user is not None and now is not None:
        left = [c for c in class_circles_of(session, user, now=now)
                if _row(session, c.id, user.id) is not None
                and _row(session, c.id, user.id).status is MemberStatus.LEFT]
        circles = left + circles
    return [view_of(session, c, None) for c in circles]


def view_of(session: Session, circle: Circle, role: CircleRole | None) -> CircleView:
    return CircleView(circle.id, circle.name, circle.kind, circle.intro,
                      member_count(session, circle.id), role)


def active_circle(session: Session, circle_id: int) -> Circle:
    """The active circle numbered `circle_id`, or CircleRefused(NO_SUCH_CIRCLE)."""
    circle = session.get(Circle, circle_id) if 0 < circle_id <= MAX_ID else None
    if circle is None or not circle.active:
        raise CircleRefused(Refusal.NO_SUCH_CIRCLE, texts.NO_SUCH_CIRCLE.format(number=circle_id))
    return circle


# --- joining and leaving -----------------------------------------------------------------------

def join_circle(session: Session, user: WechatUser, circle_id: int, *, now: datetime,
                channel: str) -> Circle:
    """Make the user a member; CircleRefused says why not."""
    circle = active_circle(session, circle_id)
    if not bound_records(session, user):
        raise CircleRefused(Refusal.NOT_BOUND, texts.NOT_BOUND)
    row = _row(session, circle.id, user.id)
    if row is not None and row.status is MemberStatus.REMOVED:
        raise CircleRefused(Refusal.REMOVED, texts.REMOVED_CANNOT_JOIN.format(name=circle.name))
    if is_member(session, circle.id, user.id):
        raise CircleRefused(Refusal.ALREADY_MEMBER, texts.ALREADY_MEMBER.format(name=circle.name))
    if circle.kind is CircleKind.CLASS and not in_class(session, circle, user.id):
        raise CircleRefused(Refusal.NOT_IN_CLASS, texts.NOT_IN_CLASS.format(name=circle.name))
    if row is not None:  # back after leaving
        row.status, row.role, row.changed_at, row.channel = MemberStatus.ACTIVE, CircleRole.MEMBER, now, channel
        session.flush()
        return circle
    try:
        with session.begin_nested():
            session.add(CircleMember(circle_id=circle.id, wechat_user_id=user.id, joined_at=now,
                                     changed_at=now, channel=channel))
    except IntegrityError:
        raise CircleRefused(Refusal.ALREADY_MEMBER, texts.ALREADY_MEMBER.format(name=circle.name)) from None
    return circle


def leave_circle(session: Session, user: WechatUser, circle_id: int, *, now: datetime) -> Circle:
    """Leave (anyone may, an admin too: the role goes with it)."""
    circle = active_circle(session, circle_id)
    if not is_member(session, circle.id, user.id):
        raise CircleRefused(Refusal.NOT_MEMBER, texts.NOT_MEMBER.format(name=circle.name))
    _set_status(session, circle, user.id, MemberStatus.LEFT, now=now, channel="leave")
    return circle


def _set_status(session: Session, circle: Circle, user_id: int, status: MemberStatus, *,
                now: datetime, channel: str) -> None:
    row = _row(session, circle.id, user_id)
    if row is None:  # a classmate who never had a row of their own
        row = CircleMember(circle_id=circle.id, wechat_user_id=user_id, joined_at=now, channel=channel)
        session.add(row)
    row.status, row.role, row.changed_at = status, CircleRole.MEMBER, now
    session.flush()


def remove_member(session: Session, circle: Circle, target_user_id: int, *, now: datetime,
                  by_user_id: int | None = None) -> None:
    """Remove a member: by a circle admin (`by_user_id`: not oneself, not another admin) or by
    staff (`by_user_id` None: anyone)."""
    if by_user_id is not None and not is_admin(session, circle, by_user_id):
        raise CircleRefused(Refusal.NOT_ADMIN, texts.NOT_ADMIN.format(name=circle.name))
    role = role_of(session, circle, target_user_id)
    if role is None:
        raise CircleRefused(Refusal.NO_SUCH_MEMBER, texts.NO_SUCH_MEMBER)
    if by_user_id is not None and (target_user_id == by_user_id or role is CircleRole.ADMIN):
        raise CircleRefused(Refusal.CANNOT_REMOVE, texts.CANNOT_REMOVE)
    _set_status(session, circle, target_user_id, MemberStatus.REMOVED, now=now, channel="removed")


def allow_back(session: Session, circle: Circle, user_id: int, *, now: datetime) -> bool:
    """Staff let a removed member join again (they are not made a member by it)."""
    row = _row(session, circle.id, user_id)
    if row is None or row.status is not MemberStatus.REMOVED:
        return False
    row.status, row.changed_at = MemberStatus.LEFT, now
    session.flush()
    return True


def set_admin(session: Session, circle: Circle, user_id: int, admin: bool, *, now: datetime) -> bool:
    """Name (or unname) a member as the circle's admin; False when they are no member."""
    if not is_member(session, circle.id, user_id):
        return False
    row = _row(session, circle.id, user_id)
    if row is None:
        row = CircleMember(circle_id=circle.id, wechat_user_id=user_id, joined_at=now,
                           changed_at=now, channel="admin")
        session.add(row)
    row.role, row.changed_at = (CircleRole.ADMIN if admin else CircleRole.MEMBER), now
    session.flush()
    return True


def admin_users(session: Session, circle_id: int) -> list[int]:
    return list(session.scalars(
        select(CircleMember.wechat_user_id).where(CircleMember.circle_id == circle_id,
                                                  CircleMember.role == CircleRole.ADMIN,
                                                  CircleMember.status == MemberStatus.ACTIVE)))


def removed_users(session: Session, circle_id: int) -> list[int]:
    return list(session.scalars(
        select(CircleMember.wechat_user_id).where(CircleMember.circle_id == circle_id,
                                                  CircleMember.status == MemberStatus.REMOVED)))
