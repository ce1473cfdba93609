"""Queueing a push: the push row and one delivery row per recipient, in the caller's transaction.

Whatever causes a push (a staff broadcast, a booking approval, a reminder job) calls `queue_push`
with its own session; the rows commit or roll back with the cause, and nothing is sent here —
`scheduler.delivery` sends later. Audiences are a small registry: `all` (every follower, one mass
send), `bound`, `year:2016`, `openids:o1,o2`, `users:1,2`; a feature adds its own with
`register_audience` (e.g. `chapter:NAME`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, literal, select
from sqlalchemy.orm import Session

from handlers.chapters.membership import chapter_member_users
from handlers.push_reports import is_confirmed, template_failure
from models.alumnus import Alumnus
from models.base import UtcDateTime
from models.chapter import Chapter
from models.push import REPLY_KIND, Channel, Delivery, DeliveryStatus, Push
from models.wechat_user import WechatUser

KINDS = ("broadcast", "notification", "reminder", REPLY_KIND)
AUDIENCE_COLUMN_LENGTH = 200


class AudienceError(ValueError):
    """An audience that cannot be understood; str() is a Chinese line for the operator."""


@dataclass(frozen=True)
class Audience:
    """Who a push goes to. `users(arg)` selects WechatUser ids; `mass_filter` (all followers, a
    tag) makes it one mass send; `strays(session, arg)` lists addresses no user holds."""

    name: str
    users: Callable[[str], Select]
    label: Callable[[str], str]
    parse: Callable[[str], str] = lambda arg: arg
    takes_argument: bool = True
    mass_filter: Callable[[str], dict] | None = None
    strays: Callable[[Session, str], list[str]] | None = None
    # resolve(session, arg): the argument as stored (a chapter's full name), AudienceError if none
    resolve: Callable[[Session, str], str] | None = None


AUDIENCES: dict[str, Audience] = {}


def register_audience(audience: Audience) -> None:
    AUDIENCES[audience.name] = audience


def resolve_audience(session: Session, spec: str) -> tuple[Audience, str]:
    """`parse_audience`, then the argument checked against the database where the audience can."""
    audience, arg = parse_audience(spec)
    return audience, audience.resolve(session, arg) if audience.resolve else arg


def parse_audience(spec: str) -> tuple[Audience, str]:
    """`year:2016` → (the year audience, "2016"); AudienceError for anything else."""
    name, _, arg = spec.strip().partition(":")
    audience = AUDIENCES.get(name.strip())
    if audience is None:
        known = "、".join(AUDIENCES)
        raise AudienceError(f"未知的推送对象 {spec!r}（可用：{known}）")
    arg = arg.strip()
    if audience.takes_argument and not arg:
        raise AudienceError(f"推送对象 {name} 需要参数，例如 {name}:…")
    if not audience.takes_argument and arg:
        raise AudienceError(f"推送对象 {name} 不带参数")
    return audience, audience.parse(arg)


@dataclass(frozen=True)
class TemplateContent:
    """An explicit template (or subscribe) message for one push: its id and its data values."""

    template_id: str
    data: dict[str, str] = field(default_factory=dict)


def queue_push(session: Session, *, text: str, audience: str, kind: str,
               template: TemplateContent | None = None, subscribe: TemplateContent | None = None,
               url: str | None = None, page: str | None = None, at: datetime | None = None,
               created_by: str | None = None, custom_message: dict[str, Any] | None = None,
               now: datetime) -> Push:
    """Store a push and its deliveries (flushed, not committed: the caller's boundary commits).

    `at` (aware) delays it; `template`/`subscribe` override the configured templates (a
    notification's own fields); `text` is what customer-service and mass messages carry, unless
    `custom_message` gives a customer-service message of another type (a late news or image
    reply: {"msgtype": "image", "image": {"media_id": …}}).
    """
    if not text or not text.strip():
        raise ValueError("a push needs text")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if now.tzinfo is None or (at is not None and at.tzinfo is None):
        raise ValueError("now and at must be aware datetimes")
    chosen, arg = resolve_audience(session, audience)
    not_before = max(at, now) if at else now
    push = Push(
        key=uuid.uuid4().hex, kind=kind, audience=_audience_label(chosen, arg), text=text.strip(),
        template_id=template.template_id if template else None,
        template_data=dict(template.data) if template else None,
        subscribe_template_id=subscribe.template_id if subscribe else None,
        subscribe_data=dict(subscribe.data) if subscribe else None,
        url=url, page=page, custom_message=custom_message, mass=chosen.mass_filter is not None,
        not_before=not_before, created_at=now, created_by=created_by,
    )
    session.add(push)
    session.flush()
    users = chosen.users(arg).subquery()
    if push.mass:
        # One row for the one mass call; the count is the followers we know of (WeChat's own
        # total comes back with the job).
        session.add(Delivery(push_id=push.id, channel=Channel.MASS.value,
                             next_attempt_at=not_before))
        push.recipient_count = session.scalar(select(func.count()).select_from(users)) or 0
    else:
        row = select(literal(push.id), users.c[0], literal(DeliveryStatus.PENDING.value),
                     literal(""), literal(0), literal(not_before, UtcDateTime()))
        session.execute(insert(Delivery).from_select(
            ["push_id", "wechat_user_id", "status", "refused_channels", "attempts",
             "next_attempt_at"], row))
        for address in chosen.strays(session, arg) if chosen.strays else []:
            session.add(Delivery(push_id=push.id, openid=address, next_attempt_at=not_before,
                                 status=DeliveryStatus.UNREACHABLE.value, finished_at=now,
                                 error="没有这个 openid 的用户"))
        session.flush()
        # Counted, not taken from rowcount: drivers disagree on it for INSERT … SELECT.
        push.recipient_count = session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.push_id == push.id))
    session.flush()
    return push


def count_recipients(session: Session, audience: str) -> int:
    """How many a push to `audience` would reach now (the composer's preview, --dry-run)."""
    chosen, arg = resolve_audience(session, audience)
    count = session.scalar(select(func.count()).select_from(chosen.users(arg).subquery())) or 0
    if chosen.strays and not chosen.mass_filter:
        count += len(chosen.strays(session, arg))
    return count


def _audience_label(audience: Audience, arg: str) -> str:
    spec = f"{audience.name}:{arg}" if arg else audience.name
    if len(spec) <= AUDIENCE_COLUMN_LENGTH:
        return spec
    return f"{audience.name}:…（{len(_split(arg))} 项）"


def _split(arg: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in arg.replace("，", ",").split(",")
                              if part.strip()))


# --- the built-in audiences ---------------------------------------------------------------

def _followers(_arg: str) -> Select:
    return select(WechatUser.id).where(WechatUser.subscribed.is_(True),
                                       WechatUser.openid.is_not(None))


def _bound_users(*conditions) -> Select:
    return (select(WechatUser.id).join(Alumnus, Alumnus.wechat_user_id == WechatUser.id)
            .where(*conditions).distinct())


def _parse_year(arg: str) -> str:
    if not arg.isdigit() or not 1900 <= int(arg) <= 2100:
        raise AudienceError(f"届别应为四位年份，例如 year:2016（收到 {arg!r}）")
    return arg


def _parse_list(arg: str) -> str:
    items = _split(arg)
    if not items:
        raise AudienceError("列表不能为空")
    return ",".join(items)


def _parse_ids(arg: str) -> str:
    items = _split(arg)
    if not items or not all(i.isdigit() for i in items):
        raise AudienceError(f"users: 后应为用户编号列表，例如 users:12,15（收到 {arg!r}）")
    return ",".join(items)


def _openid_strays(session: Session, arg: str) -> list[str]:
    wanted = _split(arg)
    known = set(session.scalars(select(WechatUser.openid).where(WechatUser.openid.in_(wanted))))
    return [o for o in wanted if o not in known]


register_audience(Audience(
    "all", _followers, lambda _: "全部关注者", takes_argument=False,
    mass_filter=lambda _: {"is_to_all": True}))
register_audience(Audience("bound", lambda _: _bound_users(), lambda _: "已绑定的校友",
                           takes_argument=False))
register_audience(Audience(
    "year", lambda arg: _bound_users(Alumnus.graduation_year == int(arg)),
    lambda arg: f"{arg} 届校友", parse=_parse_year))
register_audience(Audience(
    "openids", lambda arg: select(WechatUser.id).where(WechatUser.openid.in_(_split(arg))),
    lambda arg: f"指定的 {len(_split(arg))} 位用户", parse=_parse_list, strays=_openid_strays))
register_audience(Audience(
    "users", lambda arg: select(WechatUser.id).where(WechatUser.id.in_(
        [int(i) for i in _split(arg)])),
    lambda arg: f"指定的 {len(_split(arg))} 位用户", parse=_parse_ids))


def _chapter_name(session: Session, arg: str) -> str:
    """The chapter `arg` names: its full name, or the one chapter whose name starts with it
    (chapter:北京 → 北京校友会)."""
    if session.scalar(select(Chapter.id).where(Chapter.name == arg)) is not None:
        return arg
    names = list(session.scalars(select(Chapter.name).where(Chapter.name.startswith(arg, autoescape=True))
                                 .order_by(Chapter.name).limit(6)))
    if len(names) == 1:
        return names[0]
    if names:
        raise AudienceError(f"「{arg}」对应多个分会：{'、'.join(names[:5])}；请写全名，例如 chapter:{names[0]}")
    raise AudienceError(f"没有名为「{arg}」的分会（alumni-bot import-chapters 导入分会后再试）")


register_audience(Audience(
    "chapter", lambda arg: chapter_member_users(arg).distinct(), lambda arg: f"{arg}成员",
    resolve=_chapter_name))


def audience_label(session: Session, spec: str) -> str:
    """The Chinese name of an audience as typed, its argument resolved (chapter:北京 → 北京校友会成员)."""
    chosen, arg = resolve_audience(session, spec)
    return chosen.label(arg)


def describe_audience(spec: str) -> str:
    """The Chinese name of a stored audience, for the CLI and the admin page."""
    if "…" in spec:  # a long list, stored shortened
        return spec
    try:
        audience, arg = parse_audience(spec)
    except AudienceError:
        return spec
    return audience.label(arg)


@dataclass(frozen=True)
class PushProgress:
    """One push's deliveries by state; `failed` by errcode (None: retries ran out, no code).

    What WeChat reported afterwards on its template messages: `confirmed` of the sent ones,
    `awaiting_report` sent with no report yet, and `reported_failed` by WeChat's status
    ("failed:user block": counted here, not under an errcode, since the call itself succeeded).
    """

    push: Push
    pending: int
    sending: int
    sent: int
    failed: dict[int | None, int]
    unreachable: int
    unknown: int
    confirmed: int = 0
    awaiting_report: int = 0
    reported_failed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return (self.pending + self.sending + self.sent + sum(self.failed.values())
                + sum(self.reported_failed.values()) + self.unreachable + self.unknown)


def push_progress(session: Session, push_id: int) -> PushProgress | None:
    """How far a push got (push-status, the admin page's progress)."""
    push = session.get(Push, push_id)
    if push is None:
        return None
    rows = session.execute(
        select(Delivery.status, Delivery.errcode, Delivery.channel, Delivery.report, func.count())
        .where(Delivery.push_id == push_id)
        .group_by(Delivery.status, Delivery.errcode, Delivery.channel, Delivery.report)).all()
    by_status: dict[str, int] = {}
    failed: dict[int | None, int] = {}
    reported_failed: dict[str, int] = {}
    confirmed = awaiting = 0
    for status, errcode, channel, report, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        if status == DeliveryStatus.SENT:
            if is_confirmed(report):
                confirmed += count
            elif report is None and channel == Channel.TEMPLATE:
                awaiting += count
        elif status == DeliveryStatus.FAILED:
            if report is not None and template_failure(report) is not None:
                reported_failed[report] = reported_failed.get(report, 0) + count
            else:
                failed[errcode] = failed.get(errcode, 0) + count
    return PushProgress(
        push=push,
        pending=by_status.get(DeliveryStatus.PENDING, 0) + by_status.get(DeliveryStatus.CLAIMED, 0),
        sending=by_status.get(DeliveryStatus.SENDING, 0),
        sent=by_status.get(DeliveryStatus.SENT, 0), failed=failed,
        unreachable=by_status.get(DeliveryStatus.UNREACHABLE, 0),
        unknown=by_status.get(DeliveryStatus.UNKNOWN, 0),
        confirmed=confirmed, awaiting_report=awaiting, reported_failed=reported_failed)
