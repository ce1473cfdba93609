"""Binding a WeChat user to their roster records (学籍), and unbinding: one rule for bot and API.

A record binds to at most one WeChat user at a time; a user may hold several records of the same
person (本科 and 硕士). The claim is a single `UPDATE … WHERE wechat_user_id IS NULL`, so of two
users claiming one record at once exactly one wins; the other is refused and staff are alerted.
Operations flush and never commit: the request boundary commits.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from handlers.directory.names import name_key
from handlers.directory.settings import DirectorySettings
from handlers.limits import Lockout
from models import Alumnus, BindingEvent, StaffAlert, WechatUser

CONFLICT_ALERT = "binding_conflict"


class NotBound(Exception):
    """The user has no bound record, and what they asked for needs one."""


class BindOutcome(StrEnum):
    BOUND = "bound"                # the record is now this user's
    ALREADY_MINE = "already_mine"  # it already was
    NO_MATCH = "no_match"          # name and student ID do not match one record (never says which)
    TAKEN = "taken"                # bound to another WeChat user: refused, staff alerted
    LOCKED = "locked"              # too many failures: try again after retry_after seconds
    OTHER_PERSON = "other_person"  # the user holds records of someone of another name


@dataclass(frozen=True)
class BindResult:
    outcome: BindOutcome
    alumnus: Alumnus | None = None
    retry_after: int = 0           # LOCKED, or NO_MATCH that has just locked
    attempts_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (BindOutcome.BOUND, BindOutcome.ALREADY_MINE)


def binding_lockout(store, settings: DirectorySettings) -> Lockout:
    """The failure counter and lock, keyed by WeChat user id, shared by the bot and the API."""
    return Lockout(store, f"{settings.key_prefix}bind:",
                   failures_allowed=settings.bind_failures_allowed,
                   window_seconds=settings.bind_failure_window_seconds,
                   lockout_seconds=settings.bind_lockout_seconds)


def clean_student_id(raw: str) -> str:
    """Full-width digits and letters folded, spaces dropped."""
    return "".join(unicodedata.normalize("NFKC", raw or "").split())


def mask_student_id(student_id: str) -> str:
    """201201010199 -> 2012****0199, 2012010101 -> 201****101: at least four characters hidden,
    behind a fixed **** that hides the length too; five characters or fewer -> ****."""
    keep = min(4, max(0, (len(student_id) - 4) // 2))
    return f"{student_id[:keep]}****{student_id[len(student_id) - keep:]}" if keep else "****"


def bound_records(session: Session, user: WechatUser) -> list[Alumnus]:
    """The user's records, oldest degree first."""
    return list(session.scalars(
        select(Alumnus).where(Alumnus.wechat_user_id == user.id)
        .order_by(Alumnus.graduation_year, Alumnus.id)))


def bind_alumnus(session: Session, user: WechatUser, name: str, student_id: str, *, now: datetime,
                 channel: str, limiter: Lockout) -> BindResult:
    """Link `user` to the record whose student ID and name (compared by `name_key`) match."""
    lock_key = str(user.id)
    # Counted before the roster is asked, so requests sent at once cannot all slip under the limit.
    attempt = limiter.attempt(lock_key, now)
    if not attempt.allowed:
        return BindResult(BindOutcome.LOCKED, retry_after=attempt.retry_after)
    wanted = name_key(name)
    held = bound_records(session, user)
    if held and wanted not in {r.name_key for r in held}:
        limiter.release(lock_key, attempt)  # refused on what the user holds: the roster was not asked
        return BindResult(BindOutcome.OTHER_PERSON, alumnus=held[0])

    record = _find_record(session, clean_student_id(student_id))
    if record is None or not wanted or record.name_key != wanted:
        _event(session, user, record, "failed", channel, now)
        failure = limiter.failed(lock_key, now)
        return BindResult(BindOutcome.NO_MATCH, retry_after=failure.retry_after,
                          attempts_left=failure.remaining)
    limiter.succeeded(lock_key)
    result = _link(session, user, record, held, channel, now)
    if result.outcome is BindOutcome.TAKEN:
        _refuse(session, user, record, channel, now)
    return result


def link_alumnus(session: Session, user: WechatUser, record: Alumnus, *, now: datetime,
                 channel: str) -> BindResult:
    """Link `user` to `record` on staff's word (a verification approved, a conflict resolved):
    staff's judgement stands in for the name and student ID, every other rule of binding holds
    (one user per record, decided by the database; one person per user). No lockout, no alert:
    staff are looking. Flushes, never commits."""
    held = bound_records(session, user)
    if held and record.name_key not in {r.name_key for r in held}:
        return BindResult(BindOutcome.OTHER_PERSON, alumnus=held[0])
    return _link(session, user, record, held, channel, now)


def _link(session: Session, user: WechatUser, record: Alumnus, held: list[Alumnus], channel: str,
          now: datetime) -> BindResult:
    if record.wechat_user_id == user.id:
        return BindResult(BindOutcome.ALREADY_MINE, alumnus=record)
    if record.wechat_user_id is None and _claim(session, record, user, now):
        _adopt_choices(record, held)
        _event(session, user, record, "bound", channel, now)
        return BindResult(BindOutcome.BOUND, alumnus=record)
    return BindResult(BindOutcome.TAKEN, alumnus=record)


def unbind(session: Session, user: WechatUser, *, now: datetime, channel: str,
           student_id: str | None = None) -> list[Alumnus]:
    """Remove the user's links (all, or the one with `student_id`); returns the records unbound."""
    records = bound_records(session, user)
    if student_id is not None:
        wanted = clean_student_id(student_id).upper()
        records = [r for r in records if r.student_id.upper() == wanted]
    for record in records:
        done = session.execute(
            update(Alumnus)
            .where(Alumnus.id == record.id, Alumnus.wechat_user_id == user.id)
            .values(wechat_user_id=None, bound_at=None)
            .execution_options(synchronize_session=False))
        if done.rowcount:
            _event(session, user, record, "unbound", channel, now)
        session.expire(record, ["wechat_user_id", "bound_at"])
    session.flush()
    return records


def _find_record(session: Session, student_id: str) -> Alumnus | None:
    if not student_id:
        return None
    # Alumni type IDs in any case (and the router folds it); the roster keeps the school's own
    # spelling, so compare case-insensitively, on the expression index ix_alumnus_student_id_upper.
    return session.scalars(select(Alumnus).where(
        func.upper(Alumnus.student_id) == student_id.upper()).order_by(Alumnus.id)).first()


def _claim(session: Session, record: Alumnus, user: WechatUser, now: datetime) -> bool:
    """Set the link only if nobody holds it: the database decides between concurrent claims."""
    done = session.execute(
        update(Alumnus)
        .where(Alumnus.id == record.id, Alumnus.wechat_user_id.is_(None))
        .values(wechat_user_id=user.id, bound_at=now)
        .execution_options(synchronize_session=False))
    session.expire(record, ["wechat_user_id", "bound_at"])
    return done.rowcount == 1


def _adopt_choices(record: Alumnus, held: list[Alumnus]) -> None:
    """A second record of the same person takes the privacy and profile already chosen."""
    if not held:
        return
    first = held[0]
    record.privacy = first.privacy
    for column in ("profile_city", "profile_employer", "profile_industry"):
        if getattr(record, column) is None and getattr(first, column) is not None:
            setattr(record, column, getattr(first, column))


def _refuse(session: Session, user: WechatUser, record: Alumnus, channel: str, now: datetime) -> None:
    _event(session, user, record, "refused", channel, now)
    session.add(StaffAlert(
        kind=CONFLICT_ALERT, created_at=now, alumnus_id=record.id, wechat_user_id=user.id,
        message=(f"微信用户 #{user.id}（{channel}）以正确的姓名和学号申请绑定 {record.name}"
                 f"（学号 {record.student_id}），该学籍已由微信用户 #{record.wechat_user_id} 绑定。"
                 "可能是冒用身份，或本人更换了微信账号，请核实。")))
    session.flush()


def _event(session: Session, user: WechatUser, record: Alumnus | None, kind: str, channel: str,
           now: datetime) -> None:
    session.add(BindingEvent(wechat_user_id=user.id, alumnus_id=record.id if record else None,
                             kind=kind, channel=channel, at=now))
    session.flush()
