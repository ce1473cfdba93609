"""Alumni circles (校友圈) over HTTP: the bot's 校友圈, 加入校友圈, 退出校友圈, 创建校友圈, 圈成员 and
圈通知, thin over handlers.circles (the same rules, the same privacy, the same outbox)."""

from __future__ import annotations

from typing import Annotated

from flask import Blueprint
from pydantic import BaseModel, Field, StringConstraints

from handlers.circles.membership import (
    CircleRefused,
    CircleView,
    Refusal,
    active_circle,
    join_circle,
    leave_circle,
    member_count,
    my_circles,
    open_circles,
)
from handlers.circles.notices import post_notice
from handlers.circles.proposals import INTRO_MAX, NAME_MAX, NAME_PATTERN, propose_circle
from handlers.circles.roster import visible_members
from handlers.directory.binding import bound_records
from wechat_bot.api.context import CHANNEL, current_user, now, settings
from wechat_bot.api.errors import ApiError
from wechat_bot.api.me import not_bound
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import Body, text
from wechat_bot.notify import notify_users
from wechat_bot.runtime import current_runtime

bp = Blueprint("circles", __name__)

# A refusal → its status; the message is the bot's sentence.
STATUS = {Refusal.NO_SUCH_CIRCLE: 404, Refusal.NOT_BOUND: 403, Refusal.NOT_IN_CLASS: 403,
          Refusal.REMOVED: 403, Refusal.ALREADY_MEMBER: 409, Refusal.NOT_MEMBER: 403,
          Refusal.NOT_ADMIN: 403, Refusal.NO_SUCH_MEMBER: 404, Refusal.AMBIGUOUS_MEMBER: 409,
          Refusal.CANNOT_REMOVE: 403, Refusal.LIMIT: 429, Refusal.INVALID: 422,
          Refusal.NAME_TAKEN: 409}


class CircleOut(BaseModel):
    id: int
    name: str
    kind: str = Field(description="class 班级圈（每个学院每一届一个，本届校友自动在内）/ interest 兴趣圈")
    intro: str | None
    members: int = Field(description="成员人数")
    role: str | None = Field(description="我在圈里的身份：member / admin（圈管理员）；不在圈里为 null")


class CirclesOut(BaseModel):
    mine: list[CircleOut] = Field(description="我的校友圈：本届的班级圈在前，然后是加入的兴趣圈")
    open: list[CircleOut] = Field(description="可加入的圈：我退出过的本届班级圈，然后是兴趣圈（成员多的在前）")


class ProposalIn(Body):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX,
                                           pattern=NAME_PATTERN)] = Field(
        description="圈子名称：汉字、字母、数字和空格，最多 20 个字，例如 羽毛球")
    intro: text(INTRO_MAX) | None = None


class ProposalOut(BaseModel):
    id: int
    name: str
    status: str = Field(description="pending：等待校友会审核；审核结果会推送给申请人")


class MembershipOut(BaseModel):
    circle_id: int
    member: bool
    members: int


class MemberOut(BaseModel):
    name: str
    degree: str | None
    graduation_year: int
    college: str | None
    major: str | None
    city: str | None
    employer: str | None
    admin: bool = Field(description="是否圈管理员")


class MembersOut(BaseModel):
    circle_id: int
    items: list[MemberOut] = Field(description="按隐私设置我能看到的成员；不含手机号和邮箱")
    unlisted: int = Field(description="按隐私设置不向我公开的成员人数")


class NoticeIn(Body):
    text: text(600, 1)


class NoticeOut(BaseModel):
    circle_id: int
    recipients: int = Field(description="收到通知的成员人数（退订了「校友圈」推送的除外之前）")


@bp.get("/circles")
@operation(ok=CirclesOut, errors=(403,), tags=["circles"])
def list_circles():
    """我的校友圈和可加入的兴趣圈（机器人的「校友圈」）。本届的班级圈无需创建、自动在列。未绑定时 403 `not_bound`。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        if not bound_records(session, user):
            raise not_bound()
        mine = my_circles(session, user, now=now())
        return CirclesOut(mine=[_out(v) for v in mine],
                          open=[_out(v) for v in open_circles(session, user, limit=20, now=now())])


@bp.post("/circles")
@operation(ok=ProposalOut, status=201, errors=(403, 409, 429), tags=["circles"])
def propose_interest_circle(json: ProposalIn):
    """申请创建兴趣圈（机器人的「创建校友圈」）：校友会审核通过后申请人成为圈管理员。
    同名的圈已有或在审核中 409 `name_taken`；待审核的申请太多 429 `limit`。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        try:
            circle = propose_circle(session, user, json.name, json.intro, now=now(),
                                    settings=settings().circles)
        except CircleRefused as refused:
            raise _refusal(refused) from None
        return ProposalOut(id=circle.id, name=circle.name, status=circle.status.value), 201


@bp.post("/circles/<int:circle_id>/members")
@operation(ok=MembershipOut, status=201, errors=(403, 404, 409), tags=["circles"])
def join_circle_membership(circle_id: int):
    """加入校友圈。班级圈只对本届校友开放（403 `not_in_class`）；被移出的成员不能自行加入
    （403 `removed`）；已在圈里 409 `already_member`。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        try:
            circle = join_circle(session, user, circle_id, now=now(), channel=CHANNEL)
        except CircleRefused as refused:
            raise _refusal(refused) from None
        return MembershipOut(circle_id=circle.id, member=True, members=member_count(session, circle.id)), 201


@bp.delete("/circles/<int:circle_id>/members/me")
@operation(ok=MembershipOut, errors=(403, 404), tags=["circles"])
def leave_circle_membership(circle_id: int):
    """退出校友圈（任何成员都可以，圈管理员退出即不再是管理员）。不在圈里 403 `not_member`。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        try:
            circle = leave_circle(session, user, circle_id, now=now())
        except CircleRefused as refused:
            raise _refusal(refused) from None
        return MembershipOut(circle_id=circle.id, member=False, members=member_count(session, circle.id))


@bp.get("/circles/<int:circle_id>/members")
@operation(ok=MembersOut, errors=(403, 404), tags=["circles"])
def circle_members(circle_id: int):
    """圈成员：只有成员可以查看，按与查找校友相同的隐私规则（公开 / 同学 / 隐藏）列出，
    不含手机号和邮箱。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        try:
            circle = active_circle(session, circle_id)
            found = visible_members(session, circle, user.id)
        except CircleRefused as refused:
            raise _refusal(refused) from None
        return MembersOut(circle_id=circle.id, unlisted=found.unlisted, items=[
            MemberOut(name=m.name, degree=m.degree, graduation_year=m.graduation_year, college=m.college,
                      major=m.major, city=m.city, employer=m.employer, admin=m.admin)
            for m in found.shown])


@bp.post("/circles/<int:circle_id>/notices")
@operation(ok=NoticeOut, status=201, errors=(403, 404, 429), tags=["circles"])
def post_circle_notice(circle_id: int, json: NoticeIn):
    """圈通知（圈管理员）：通过推送发给本圈其他成员，退订了「校友圈」推送的成员不会收到。
    不是圈管理员 403 `not_admin`；超过每日条数 429 `limit`；太长 422 `invalid`。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        try:
            posted = post_notice(session, user, circle_id, json.text, now=now(),
                                 settings=settings().circles, notify=notify_users)
        except CircleRefused as refused:
            raise _refusal(refused) from None
        return NoticeOut(circle_id=posted.circle.id, recipients=posted.recipients), 201


def _out(view: CircleView) -> CircleOut:
    return CircleOut(id=view.id, name=view.name, kind=view.kind.value, intro=view.intro,
                     members=view.members, role=view.role.value if view.role else None)


def _refusal(refused: CircleRefused) -> ApiError:
    return ApiError(STATUS[refused.reason], refused.reason.value, refused.message)

