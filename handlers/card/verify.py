"""A site's check of a card code: valid or not, the holder's public fields, and the audit entry.

The answer is the code's own verdict (handlers.card.codes) against the database as it is now: the
holder must still hold the very bindings the code was signed over, so an unbind (or a rebind)
revokes every code at once. A valid answer names the holder (school, name, degrees) so the guard
can compare with the face in front of them; it never carries the student ID, phone or e-mail.

Replay: a code passes during its minute and the next, as often as it is shown (a rescan, the
canteen after the gate). `first_use` says whether this site has seen this very code before, so a
turnstile that admits once per code can refuse the second scan itself; it is None when Redis
cannot say. Every check, valid or not, is one audit log entry, with the site as the actor.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.card import codes, texts
from handlers.card.codes import Refusal
from handlers.card.holder import CardHolder, card_holder
from handlers.card.sites import count_check
from handlers.context import STORE_DOWN
from handlers.directory.binding import mask_student_id
from handlers.staff.audit import record_audit
from models import Alumnus, CardSite

log = logging.getLogger(__name__)

AUDIT_ACTION = "card_verified"
VALID = "valid"


@dataclass(frozen=True)
class CheckResult:
    valid: bool
    reason: str  # "valid" or a codes.Refusal value
    message: str
    holder: CardHolder | None = None
    expires_at: dt.datetime | None = None
    first_use: bool | None = None


def judge_code(session: Session, key: bytes, code: str, now: dt.datetime, school: str) -> CheckResult:
    """What a code is worth now (no side effects)."""
    claim = codes.parse_code(code)
    if claim is None:
        return _refused(Refusal.MALFORMED)
    if not codes.genuine(key, claim):
        return _refused(Refusal.INVALID)
    late = codes.timing_refusal(claim, now)
    if late is not None:
        return _refused(late)
    holder = card_holder(session, claim.user_id, school)
    if holder is None or not codes.still_bound(key, claim, holder.stamp):
        return _refused(Refusal.REVOKED)
    return CheckResult(True, VALID, texts.VALID, holder, codes.expires_at(claim))


def _refused(refusal: Refusal) -> CheckResult:
    return CheckResult(False, refusal.value, texts.REFUSALS[refusal])


def first_use(store, prefix: str, site: CardSite, code: str, result: CheckResult,
              now: dt.datetime) -> bool | None:
    """Whether `site` checks this valid code for the first time (None: Redis cannot say)."""
    if not result.valid or result.expires_at is None:
        return None
    ttl = max(int((result.expires_at - now).total_seconds()) + 1, 1)
    try:
        return bool(store.set(f"{prefix}seen:{site.id}:{codes.normalize(code)}", "1", nx=True, ex=ttl))
    except STORE_DOWN:
        log.warning("Redis 不可用：无法判断校友卡二维码是否首次核验")
        return None


def verify_card(session: Session, *, key: bytes, code: str, site: CardSite, now: dt.datetime,
                school: str, store, prefix: str, ip: str | None) -> CheckResult:
    """A site's check: the verdict, whether it is this site's first sight of the code, and its
    audit entry. Flushes; the boundary commits."""
    result = judge_code(session, key, code, now, school)
    if result.valid:
        seen = first_use(store, prefix, site, code, result, now)
        result = CheckResult(**{**result.__dict__, "first_use": seen})
    count_check(session, site, now)
    record_audit(session, at=now, actor=f"核验点 {site.name}", action=AUDIT_ACTION,
                 target=_target(session, result, code), detail=_detail(result), ip=ip)
    return result


def _target(session: Session, result: CheckResult, code: str) -> str:
    if result.holder is None:
        claim = codes.parse_code(code)
        return f"校友卡（微信用户 #{claim.user_id}）" if claim else "校友卡（无法识别）"
    # The holder's first record, its student ID masked as everywhere in logs.
    first = session.scalar(select(Alumnus.student_id).where(
        Alumnus.wechat_user_id == result.holder.user_id).order_by(Alumnus.graduation_year).limit(1))
    masked = f"，学号 {mask_student_id(first)}" if first else ""
    return f"校友 {result.holder.name}（微信用户 #{result.holder.user_id}{masked}）"


def _detail(result: CheckResult) -> str:
    if not result.valid:
        return result.message
    seen = {True: "首次核验", False: "重复核验", None: "未能判断是否首次"}[result.first_use]
    return f"有效 · {seen}"
