"""Resolving a binding conflict: a second WeChat user named a bound record correctly (binding's
`_refuse` raised a StaffAlert naming the record and the claimant). Staff keep one link: the
holder's (the claimant is told no) or the claimant's (the holder is unbound and told, the claimant
linked through binding's own rules). Both are told through the outbox (`notify`, handed in by the
door). Flushes, never commits; a refused resolution writes nothing the door keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from handlers.directory import texts
from handlers.directory.binding import (
    CONFLICT_ALERT,
    BindOutcome,
    link_alumnus,
    mask_student_id,
    unbind,
)
from handlers.notices import Notify
from models import Alumnus, StaffAlert, WechatUser

CHANNEL = "admin"
RESOLVED_BY = "directory:conflict"


class Keep(StrEnum):
    HOLDER = "holder"      # the link stays as it is
    CLAIMANT = "claimant"  # the record moves to the user who claimed it


@dataclass(frozen=True)
class Conflict:
    alert: StaffAlert
    record: Alumnus
    holder: WechatUser | None     # who holds the record now (None: unbound since)
    claimant: WechatUser


def conflict_of(session: Session, alert: StaffAlert) -> Conflict | None:
    """The conflict an alert names; None for another kind, or one raised before alerts named
    their record (staff resolve those by hand, as any alert)."""
    if alert.kind != CONFLICT_ALERT or alert.alumnus_id is None or alert.wechat_user_id is None:
        return None
    record = session.get(Alumnus, alert.alumnus_id)
    claimant = session.get(WechatUser, alert.wechat_user_id)
    if record is None or claimant is None:
        return None
    holder = session.get(WechatUser, record.wechat_user_id) if record.wechat_user_id else None
    return Conflict(alert, record, holder, claimant)


class ConflictOutcome(StrEnum):
    DONE = "done"
    OTHER_PERSON = "other_person"   # the claimant holds records of someone of another name
    TAKEN = "taken"                 # someone else bound the record meanwhile


def resolve_conflict(session: Session, conflict: Conflict, keep: Keep, *, now: datetime,
                     notify: Notify) -> tuple[ConflictOutcome, str]:
    """Keep one link; returns the outcome and, when done, what was decided (in Chinese, for the
    alert's resolution and the audit log)."""
    record, holder, claimant = conflict.record, conflict.holder, conflict.claimant
    who = f"{record.name}（学号 {record.student_id}）"
    if keep is Keep.HOLDER:
        notify(session, [claimant.id], texts.conflict_kept_holder(record.name), now,
               created_by=RESOLVED_BY)
        kept = f"微信用户 #{holder.id}" if holder else "（已无人绑定）"
        return ConflictOutcome.DONE, f"保留 {kept} 对 {who} 的绑定，驳回微信用户 #{claimant.id} 的申请"
    unbound = None
    if holder is not None and holder.id != claimant.id:
        unbind(session, holder, now=now, channel=CHANNEL, student_id=record.student_id)
        unbound = holder
    result = link_alumnus(session, claimant, record, now=now, channel=CHANNEL)
    if result.outcome is BindOutcome.OTHER_PERSON:
        return ConflictOutcome.OTHER_PERSON, ""
    if not result.ok:
        return ConflictOutcome.TAKEN, ""
    if unbound is not None:
        notify(session, [unbound.id], texts.conflict_unbound_holder(
            record.name, mask_student_id(record.student_id)), now, created_by=RESOLVED_BY)
    line = texts.record_line(record.degree, record.graduation_year, record.college, record.major,
                             record.class_name)
    notify(session, [claimant.id], texts.conflict_kept_claimant(record.name, line), now,
           created_by=RESOLVED_BY)
    moved = f"，解除微信用户 #{unbound.id} 的绑定" if unbound else ""
    return ConflictOutcome.DONE, f"将 {who} 改绑给微信用户 #{claimant.id}{moved}"
