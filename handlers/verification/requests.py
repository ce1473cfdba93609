"""Asking for manual review (人工核验): when it is offered, what a request must hold, and storing
it. One rule for both doors: the bot's dialog and POST /api/v1/me/verification call these.

It is offered once 绑定 has failed `offer_after_failures` times within the directory's failure
window (or binding is locked), counted by the directory's own Lockout in Redis, so failures at
either door count and nothing is counted twice. Operations flush and never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.directory.binding import binding_lockout, clean_student_id
from handlers.directory.names import name_key
from handlers.settings import Settings
from models import VerificationRequest, VerificationStatus, WechatUser

MAX_NAME = 64
MAX_TEXT = 64          # college, major: the roster's column width
MAX_URL = 1024
FIRST_YEAR = 1900
STUDENT_ID = re.compile(r"[0-9A-Za-z-]{1,32}")
# WeChat's PicUrl is an http(s) link; nothing else may reach a page as a link (javascript:).
PHOTO_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


class DetailsError(ValueError):
    """A detail the request cannot hold; the message is Chinese, for the alumnus."""


@dataclass(frozen=True)
class VerificationDetails:
    name: str
    graduation_year: int
    college: str
    major: str
    student_id: str | None = None
    photo_url: str | None = None
    photo_media_id: str | None = None


class RequestOutcome(StrEnum):
    CREATED = "created"
    PENDING = "pending"    # the user has an open request already: it is the one returned


@dataclass(frozen=True)
class RequestResult:
    outcome: RequestOutcome
    request: VerificationRequest


def offered(settings: Settings, *, attempts_left: int | None, locked: bool) -> bool:
    """Whether a binding failure leaves the user entitled to ask (`attempts_left` as the
    directory's Lockout reports it after the failure)."""
    if locked:
        return True
    if attempts_left is None:
        return False
    failures = settings.directory.bind_failures_allowed - attempts_left
    return failures >= settings.verification.offer_after_failures


def may_request(store, settings: Settings, user_id: int, now: datetime) -> bool:
    """Offered now? Reads the directory's failure count (raises handlers.context.STORE_DOWN
    while Redis is down: the door says to try later)."""
    status = binding_lockout(store, settings.directory).check(str(user_id), now)
    return offered(settings, attempts_left=status.remaining, locked=not status.allowed)


def pending_request(session: Session, user: WechatUser) -> VerificationRequest | None:
    return session.scalar(select(VerificationRequest).where(
        VerificationRequest.wechat_user_id == user.id,
        VerificationRequest.status == VerificationStatus.PENDING))


def check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name_key(name) or len(name) > MAX_NAME:
        raise DetailsError(f"姓名不能为空，最多 {MAX_NAME} 个字。")
    return name


def check_year(year: int, now: datetime) -> int:
    if not FIRST_YEAR <= year <= now.year + 1:
        raise DetailsError(f"毕业年份应在 {FIRST_YEAR} 到 {now.year + 1} 之间。")
    return year


def check_text(value: str, what: str) -> str:
    value = " ".join((value or "").split())
    if not value or len(value) > MAX_TEXT:
        raise DetailsError(f"{what}不能为空，最多 {MAX_TEXT} 个字。")
    return value


def check_student_id(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = clean_student_id(value)
    if not STUDENT_ID.fullmatch(cleaned):
        raise DetailsError("学号由数字或字母组成。")
    return cleaned


def check_photo_url(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > MAX_URL or not PHOTO_URL.fullmatch(value):
        raise DetailsError("照片链接应为 http:// 或 https:// 开头的网址。")
    return value


def checked(details: VerificationDetails, now: datetime) -> VerificationDetails:
    """The details cleaned, or DetailsError naming the first that cannot be kept."""
    return VerificationDetails(
        name=check_name(details.name),
        graduation_year=check_year(details.graduation_year, now),
        college=check_text(details.college, "学院"),
        major=check_text(details.major, "专业"),
        student_id=check_student_id(details.student_id),
        photo_url=check_photo_url(details.photo_url),
        photo_media_id=(details.photo_media_id or None) and details.photo_media_id[:128],
    )


def request_verification(session: Session, user: WechatUser, details: VerificationDetails, *,
                         now: datetime, channel: str) -> RequestResult:
    """Store the request, unless the user has one pending (then that one, PENDING). The partial
    unique index decides between two sent at once. Raises DetailsError for a bad detail."""
    details = checked(details, now)
    already = pending_request(session, user)
    if already is not None:
        return RequestResult(RequestOutcome.PENDING, already)
    request = VerificationRequest(
        wechat_user_id=user.id, name=details.name, name_key=name_key(details.name),
        graduation_year=details.graduation_year, college=details.college, major=details.major,
        student_id=details.student_id, photo_url=details.photo_url,
        photo_media_id=details.photo_media_id, channel=channel, created_at=now,
        status=VerificationStatus.PENDING)
    try:
        with session.begin_nested():
            session.add(request)
    except IntegrityError:
        return RequestResult(RequestOutcome.PENDING, pending_request(session, user))
    return RequestResult(RequestOutcome.CREATED, request)
