"""圈成员: the members of a circle as another member sees them, under the directory's privacy rules.

A member is listed to a fellow member exactly when a search would show them (handlers.directory
lookup): 公开 to every verified alumnus, 同学 to alumni of one of their own (college, year)
classes, 隐藏 to nobody. What is shown is what a search shows: name, degree and year, college and
major, city, employer; never phone or e-mail. Staff see every member (privacy is the alumni's word
to one another), on the admin page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.circles import texts
from handlers.circles.membership import CircleRefused, Refusal, admin_users, is_member, member_users
from handlers.directory.privacy import current_privacy
from handlers.directory.searching import load_viewer
from models import Alumnus, Privacy
from models.circle import Circle, CircleKind


@dataclass(frozen=True)
class MemberView:
    """What a fellow member may see of one; never the phone or the e-mail address."""

    user_id: int
    name: str
    degree: str | None
    graduation_year: int
    college: str | None
    major: str | None
    city: str | None
    employer: str | None
    admin: bool
    privacy: Privacy
    classes: frozenset[tuple[str | None, int]] = frozenset()  # (college, year) of their records


@dataclass(frozen=True)
class MemberList:
    shown: list[MemberView]
    unlisted: int   # members whose privacy keeps them from this viewer


def all_members(session: Session, circle: Circle) -> list[MemberView]:
    """Every member, for staff and for counting; sorted by year, then name."""
    records: dict[int, list[Alumnus]] = defaultdict(list)
    for record in session.scalars(select(Alumnus).where(
            Alumnus.wechat_user_id.in_(member_users(circle.id)))
            .order_by(Alumnus.graduation_year, Alumnus.id)):
        records[record.wechat_user_id].append(record)
    admins = set(admin_users(session, circle.id))
    views = [_view(circle, user_id, held, user_id in admins) for user_id, held in records.items()]
    return sorted(views, key=lambda v: (not v.admin, v.graduation_year, v.name, v.user_id))


def visible_members(session: Session, circle: Circle, viewer_user_id: int) -> MemberList:
    """The members `viewer_user_id` (a member) may see; CircleRefused(NOT_MEMBER) otherwise."""
    if not is_member(session, circle.id, viewer_user_id):
        raise CircleRefused(Refusal.NOT_MEMBER, texts.MEMBERS_NOT_MEMBER.format(name=circle.name))
    viewer = load_viewer(session, viewer_user_id)
    classes = viewer.classes if viewer is not None else frozenset()
    shown, unlisted = [], 0
    for member in all_members(session, circle):
        if member.user_id == viewer_user_id or _may_see(member, classes):
            shown.append(member)
        else:
            unlisted += 1
    return MemberList(shown, unlisted)


def _may_see(member: MemberView, classes: frozenset) -> bool:
    """Search's rule (lookup_sql.visible_to): 公开 to all, 同学 to the same (college, year)."""
    if member.privacy is Privacy.PUBLIC:
        return True
    return member.privacy is Privacy.CLASSMATES and bool(member.classes & classes)


def _view(circle: Circle, user_id: int, held: list[Alumnus], admin: bool) -> MemberView:
    # A class circle shows the member's record of that class; another circle their first degree.
    shown = held[0]
    if circle.kind is CircleKind.CLASS:
        shown = next((r for r in held if (r.college or "") == circle.college
                      and r.graduation_year == circle.graduation_year), held[0])
    return MemberView(user_id=user_id, name=shown.name, degree=shown.degree,
                      graduation_year=shown.graduation_year, college=shown.college, major=shown.major,
                      city=shown.current_city, employer=shown.current_employer, admin=admin,
                      privacy=current_privacy(held),
                      classes=frozenset((r.college, r.graduation_year) for r in held))


def find_member(members: list[MemberView], name: str, year: int | None) -> MemberView:
    """The one shown member called `name` (of `year`, when given)."""
    found = [m for m in members if m.name == name and (year is None or m.graduation_year == year)]
    if not found:
        raise CircleRefused(Refusal.NO_SUCH_MEMBER, texts.NO_SUCH_MEMBER)
    if len(found) > 1:
        raise CircleRefused(Refusal.AMBIGUOUS_MEMBER, texts.AMBIGUOUS_MEMBER.format(name=name))
    return found[0]
