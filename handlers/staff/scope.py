"""Which rows a staff account may see: the role's scope, applied to queries in SQL.

`Scope.of(account)` is built once per request; a list or a count applies it with
`scope.apply(select(Alumnus), Alumnus)` (or `.where(scope.rows(Alumnus))`), a detail page loads
its row with `scope.get(session, Alumnus, id)`, which answers None for a row out of scope (the
door turns that into 404, so a college account cannot even learn that another college's row
exists). admin and staff see every row; a college account its college's; a liaison their
chapter's.

A model gets its rule here with `@scope_rule(Model)`: one function of the scope answering the
WHERE clause for a limited role. A model with no rule shows nothing to a limited role (deny by
default), so a new page leaks nothing before someone decides what a college or a chapter sees of
it. The rules take the scope's college / chapter, not the request: services can take a `Scope`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import Session

from models import (
    Alumnus,
    Chapter,
    ChapterMember,
    Delivery,
    Push,
    StaffAccount,
    StaffRole,
    WechatUser,
)
from models.event import Event, Registration
from models.reunion import ReunionBooking

Row = TypeVar("Row")
Rule = Callable[["Scope"], ColumnElement[bool]]
_RULES: dict[type, Rule] = {}


@dataclass(frozen=True)
class Scope:
    role: StaffRole
    college: str | None = None
    chapter_id: int | None = None
    chapter_name: str | None = None

    @classmethod
    def of(cls, account: StaffAccount) -> Scope:
        chapter = account.chapter
        return cls(role=account.role, college=account.college, chapter_id=account.chapter_id,
                   chapter_name=chapter.name if chapter else None)

    @property
    def everything(self) -> bool:
        return self.role in (StaffRole.ADMIN, StaffRole.STAFF)

    def rows(self, model: type) -> ColumnElement[bool]:
        """The WHERE clause that keeps `model`'s rows this scope may see."""
        if self.everything:
            return true()
        rule = _RULES.get(model)
        if rule is None:
            return false()
        if self.role is StaffRole.COLLEGE and not self.college:
            return false()
        if self.role is StaffRole.LIAISON and self.chapter_id is None:
            return false()  # their chapter was deleted: nothing is theirs any more
        return rule(self)

    def apply(self, statement: Select, model: type) -> Select:
        return statement.where(self.rows(model))

    def get(self, session: Session, model: type[Row], row_id: int) -> Row | None:
        """The row with this id if the scope may see it, else None (the door answers 404)."""
        return session.scalar(select(model).where(model.id == row_id, self.rows(model)))


def scope_rule(model: type) -> Callable[[Rule], Rule]:
    """Register what a limited role sees of `model` (admin and staff see every row anyway)."""
    def register(rule: Rule) -> Rule:
        _RULES[model] = rule
        return rule
    return register


def _members(scope: Scope):
    return select(ChapterMember.wechat_user_id).where(ChapterMember.chapter_id == scope.chapter_id)


@scope_rule(Alumnus)
def _alumni(scope: Scope) -> ColumnElement[bool]:
    if scope.role is StaffRole.COLLEGE:
        return Alumnus.college == scope.college
    return Alumnus.wechat_user_id.in_(_members(scope))  # a liaison: their members' records


@scope_rule(WechatUser)
def _followers(scope: Scope) -> ColumnElement[bool]:
    if scope.role is StaffRole.COLLEGE:
        # bound_at is set with the link (binding._claim): with it the subquery reads only
        # ix_alumnus_college_bound_at, not the college's every record.
        return WechatUser.id.in_(select(Alumnus.wechat_user_id).where(
            Alumnus.college == scope.college, Alumnus.bound_at.is_not(None)))
    return WechatUser.id.in_(_members(scope))


@scope_rule(Chapter)
def _chapters(scope: Scope) -> ColumnElement[bool]:
    return Chapter.id == scope.chapter_id if scope.role is StaffRole.LIAISON else false()


@scope_rule(ChapterMember)
def _chapter_members(scope: Scope) -> ColumnElement[bool]:
    if scope.role is StaffRole.LIAISON:
        return ChapterMember.chapter_id == scope.chapter_id
    return false()


def chapter_audience(scope: Scope) -> str:
    """The audience a liaison's broadcasts carry (scheduler.audiences stores "chapter:NAME")."""
    return f"chapter:{scope.chapter_name}"


@scope_rule(Push)
def _pushes(scope: Scope) -> ColumnElement[bool]:
    # A liaison's broadcasts are those to their chapter, a college's those to its alumni (alone
    # or ANDed with more: handlers.staff.broadcast_scope); nobody else's.
    from handlers.staff.broadcast_scope import push_rule
    return push_rule(scope)


@scope_rule(Delivery)
def _deliveries(scope: Scope) -> ColumnElement[bool]:
    if scope.role is StaffRole.LIAISON:
        return Delivery.push_id.in_(select(Push.id).where(_pushes(scope)))
    return false()


@scope_rule(ReunionBooking)
def _reunion_bookings(scope: Scope) -> ColumnElement[bool]:
    # A college coordinator runs its own classes' visits; a chapter has no part in them.
    if scope.role is StaffRole.COLLEGE:
        return ReunionBooking.college == scope.college
    return false()


def _chapter_events(scope: Scope):
    return select(Event.id).where(Event.chapter_id == scope.chapter_id)


@scope_rule(Event)
def _events(scope: Scope) -> ColumnElement[bool]:
    # A chapter's liaison runs the events their chapter organises; a college account none.
    if scope.role is StaffRole.LIAISON:
        return Event.chapter_id == scope.chapter_id
    return false()


@scope_rule(Registration)
def _registrations(scope: Scope) -> ColumnElement[bool]:
    if scope.role is StaffRole.LIAISON:
        return Registration.event_id.in_(_chapter_events(scope))
    return false()
