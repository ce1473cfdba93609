"""Mentors through the API (handlers.mentors holds every rule; this door maps them onto HTTP).

Bound alumni only (403 `not_bound`). Listings carry public fields only; a contact appears in a
request only once the request is accepted, and then only the other side's.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo

from flask import Blueprint
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from handlers.directory.binding import bound_records
from handlers.mentors.contact import Contact, ContactError, make_contact
from handlers.mentors.errors import NOT_BOUND, MentorError
from handlers.mentors.listing import find_mentors
from handlers.mentors.offers import is_hidden, mentor_of, save_mentor, set_mentor_status
from handlers.mentors.requests import (
    RequestView,
    answer_request,
    my_requests,
    send_request,
    withdraw_request,
)
from models import MentorStatus
from wechat_bot.api.context import current_user, now, settings
from wechat_bot.api.errors import ApiError
from wechat_bot.api.openapi import operation
from wechat_bot.notify import notify_users
from wechat_bot.runtime import current_runtime

bp = Blueprint("mentors", __name__)
PER_PAGE = 10
KINDS = Literal["wechat", "phone", "email", "none"]


class MentorsQuery(BaseModel):
    industry: str = Field("", max_length=32, description="行业（包含即可），如「互联网」")
    city: str = Field("", max_length=32, description="城市，如「上海」")
    page: int = Field(1, ge=1, le=1000, description="页码，每页 10 位")


class PersonOut(BaseModel):
    name: str
    graduation_year: int
    college: str | None


class MentorOut(BaseModel):
    id: int = Field(description="导师编号")
    person: PersonOut = Field(description="导师的公开信息（无学号、手机、邮箱）")
    industry: str
    city: str
    topics: str
    full: bool = Field(description="本月名额已满：暂不接受请求")


class MentorsPage(BaseModel):
    items: list[MentorOut]
    page: int
    pages: int
    total: int


class ContactIn(BaseModel):
    kind: KINDS = Field(description="wechat（须填 value）/ phone / email（value 空则用花名册里的）/ none")
    value: str = Field("", max_length=128)


class ContactOut(BaseModel):
    kind: KINDS
    value: str | None
    shown: str = Field(description="给人看的一行")


class OfferIn(BaseModel):
    industry: str = Field(min_length=1, max_length=64)
    city: str = Field(min_length=1, max_length=64)
    topics: str = Field(min_length=1, max_length=200)
    contact: ContactIn = Field(description="请求被接受后给对方看的联系方式")
    monthly_cap: int = Field(ge=1, description="每月最多接受的请求数（1 到 mentors.max_monthly_cap）")


class OfferOut(BaseModel):
    id: int
    industry: str
    city: str
    topics: str
    contact: ContactOut = Field(description="本人的选择（只给本人看）")
    monthly_cap: int
    status: Literal["active", "paused", "withdrawn"]
    listed: bool = Field(description="是否出现在导师列表中（隐私为「隐藏」或已暂停时不出现）")


class StatusIn(BaseModel):
    status: Literal["active", "paused"]


class RequestIn(BaseModel):
    message: str = Field(min_length=1, max_length=200, description="想请教的一句话")
    contact: ContactIn = Field(description="导师接受后给导师看的联系方式")


class RequestOut(BaseModel):
    id: int
    direction: Literal["sent", "received"]
    other: PersonOut = Field(description="对方的公开信息")
    mentor_id: int
    industry: str
    message: str
    status: Literal["open", "accepted", "declined", "withdrawn", "closed"]
    created_at: dt.datetime
    contact: ContactOut | None = Field(description="对方的联系方式：仅在请求被接受后出现")


class RequestsOut(BaseModel):
    items: list[RequestOut]


def _refused(refused: MentorError) -> ApiError:
    return ApiError(refused.status, refused.code, refused.message)


def _contact(session: Session, user, given: ContactIn) -> Contact:
    try:
        return make_contact(given.kind, given.value, bound_records(session, user))
    except ContactError as wrong:
        raise ApiError(422, "invalid_contact", str(wrong)) from None


def _contact_out(contact: Contact) -> ContactOut:
    return ContactOut(kind=contact.kind.value, value=contact.value, shown=contact.shown())


def _request_out(v: RequestView) -> RequestOut:
    return RequestOut(id=v.id, direction="sent" if v.sent else "received",
                      other=PersonOut(**v.other.__dict__), mentor_id=v.mentor_id,
                      industry=v.industry, message=v.message, status=v.status.value,
                      created_at=v.created_at,
                      contact=_contact_out(v.contact) if v.contact is not None else None)


def _bound_user(session: Session):
    user = current_user(session)
    if not bound_records(session, user):
        raise _refused(MentorError(*NOT_BOUND))
    return user


def _offer_out(session: Session, user, mentor) -> OfferOut:
    listed = mentor.status is MentorStatus.ACTIVE and not is_hidden(session, user)
    return OfferOut(id=mentor.id, industry=mentor.industry, city=mentor.city, topics=mentor.topics,
                    contact=_contact_out(Contact(mentor.contact_kind, mentor.contact_value)),
                    monthly_cap=mentor.monthly_cap, status=mentor.status.value, listed=listed)


@bp.get("/mentors")
@operation(ok=MentorsPage, errors=(403,), tags=["mentors"])
def list_mentors(query: MentorsQuery):
    """查找校友导师：按行业、城市（均为包含匹配，可只填一个），每页 10 位。

    只列出接受请求中的导师；隐私设置为「隐藏」的校友不出现。只含公开信息，从不返回联系方式。"""
    with current_runtime().sessions.begin() as session:
        _bound_user(session)
        found = find_mentors(session, industry=query.industry, city=query.city, page=query.page,
                             size=PER_PAGE, now=now(), zone=ZoneInfo(settings().timezone))
    return MentorsPage(items=[MentorOut(id=c.id, person=PersonOut(**c.person.__dict__),
                                        industry=c.industry, city=c.city, topics=c.topics,
                                        full=c.full) for c in found.mentors],
                       page=found.page, pages=found.pages, total=found.total)


@bp.get("/me/mentor")
@operation(ok=OfferOut, errors=(403, 404), tags=["mentors"])
def my_offer():
    """本人的导师登记；不是导师时 404 `not_a_mentor`。"""
    with current_runtime().sessions.begin() as session:
        user = _bound_user(session)
        mentor = mentor_of(session, user)
        if mentor is None:
            raise ApiError(404, "not_a_mentor", "您还不是校友导师。")
        return _offer_out(session, user, mentor)


@bp.put("/me/mentor")
@operation(ok=OfferOut, errors=(403,), tags=["mentors"])
def offer(json: OfferIn):
    """成为导师，或修改登记（行业、城市、话题、接受后给对方看的联系方式、每月名额）；保存后为接受请求中。"""
    with current_runtime().sessions.begin() as session:
        user = _bound_user(session)
        try:
            mentor = save_mentor(session, user, industry=json.industry, city=json.city,
                                 topics=json.topics, contact=_contact(session, user, json.contact),
                                 monthly_cap=json.monthly_cap, now=now(), settings=settings().mentors)
        except MentorError as refused:
            raise _refused(refused) from None
        return _offer_out(session, user, mentor)


@bp.patch("/me/mentor")
@operation(ok=OfferOut, errors=(403, 404), tags=["mentors"])
def pause_or_resume(json: StatusIn):
    """暂停（`paused`：不出现在列表、不收新请求）或恢复（`active`）。"""
    with current_runtime().sessions.begin() as session:
        user = _bound_user(session)
        try:
            mentor = set_mentor_status(session, user, MentorStatus(json.status), now=now())
        except MentorError as refused:
            raise _refused(refused) from None
        return _offer_out(session, user, mentor)


@bp.delete("/me/mentor")
@operation(ok=OfferOut, errors=(403, 404), tags=["mentors"])
def withdraw():
    """退出导师：尚未答复的请求关闭，并通知对方。"""
    with current_runtime().sessions.begin() as session:
        user = _bound_user(session)
        try:
            mentor = set_mentor_status(session, user, MentorStatus.WITHDRAWN, now=now(),
                                       notify=notify_users)
        except MentorError as refused:
            raise _refused(refused) from None
        return _offer_out(session, user, mentor)


@bp.post("/mentors/<int:mentor_id>/requests")
@operation(ok=RequestOut, status=201, errors=(403, 404, 409, 429), tags=["mentors"])
def request_mentor(mentor_id: int, json: RequestIn):
    """请导师指导：导师会收到推送。等待答复的请求每人最多 `mentors.max_open_requests` 个（429
    `too_many_open`）；导师本月名额已满 409 `mentor_full`，已暂停 409 `mentor_paused`。"""
    with current_runtime().sessions.begin() as session:
        user = _bound_user(session)
        try:
            request = send_request(session, user, mentor_id, json.message,
                                   _contact(session, user, json.contact), now=now(),
                                   settings=settings(), notify=notify_users)
        except MentorError as refused:
            raise _refused(refused) from None
        view = next(v for v in my_requests(session, user) if v.id == request.id)
        return _request_out(view), 201


@bp.get("/me/mentor-requests")
@operation(ok=RequestsOut, errors=(403,), tags=["mentors"])
def my_mentor_requests():
    """我发出和收到的导师请求，新的在前；对方的联系方式仅在请求被接受后出现。"""
    with current_runtime().sessions.begin() as session:
        user = _bound_user(session)
        return RequestsOut(items=[_request_out(v) for v in my_requests(session, user, limit=50)])


def _answer(request_id: int, accept: bool) -> RequestOut:
    with current_runtime().sessions.begin() as session:
        user = _bound_user(session)
        try:
            answer_request(session, user, request_id, accept=accept, now=now(), notify=notify_users)
        except MentorError as refused:
            raise _refused(refused) from None
        return _request_out(next(v for v in my_requests(session, user, limit=50) if v.id == request_id))


@bp.post("/mentor-requests/<int:request_id>/accept")
@operation(ok=RequestOut, errors=(403, 404, 409), tags=["mentors"])
def accept(request_id: int):
    """导师接受请求：双方从此可见彼此留下的联系方式；对方收到推送。"""
    return _answer(request_id, accept=True)


@bp.post("/mentor-requests/<int:request_id>/decline")
@operation(ok=RequestOut, errors=(403, 404, 409), tags=["mentors"])
def decline(request_id: int):
    """导师婉拒请求；对方收到推送。"""
    return _answer(request_id, accept=False)


@bp.delete("/mentor-requests/<int:request_id>")
@operation(ok=RequestOut, errors=(403, 404, 409), tags=["mentors"])
def withdraw_request_view(request_id: int):
    """撤回我发出的、尚未答复的请求；导师收到推送。"""
    with current_runtime().sessions.begin() as session:
        user = _bound_user(session)
        try:
            withdraw_request(session, user, request_id, now=now(), notify=notify_users)
        except MentorError as refused:
            raise _refused(refused) from None
        return _request_out(next(v for v in my_requests(session, user, limit=50) if v.id == request_id))
