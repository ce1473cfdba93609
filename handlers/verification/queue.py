"""The verification queue, as staff work it: the requests a viewer may see, the roster records
that could be the person, and the decision (approve: the record is linked through binding's own
rules; reject: with a reason). The alumnus is told either way through the outbox (the door hands
in `notify`). Operations flush and never commit; a refused decision writes nothing.

A college account sees the requests naming its college (`@scope_rule`), and only its college's
records as candidates; a liaison sees none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session

from handlers.directory import texts as directory_texts
from handlers.directory.binding import BindOutcome, link_alumnus
from handlers.notices import Notify
from handlers.staff.scope import Scope, scope_rule
from handlers.verification import texts
from models import Alumnus, StaffRole, VerificationRequest, VerificationStatus, WechatUser

CHANNEL = "admin"             # how BindingEvent names a link staff made
APPROVED_BY = "verification:approved"
REJECTED_BY = "verification:rejected"
MAX_REASON = 200


@scope_rule(VerificationRequest)
def _requests(scope: Scope) -> ColumnElement[bool]:
    if scope.role is StaffRole.COLLEGE:
        return VerificationRequest.college == scope.college
    return false()


@dataclass(frozen=True)
class QueuePage:
    requests: list[VerificationRequest]
    page: int
    has_next: bool


def queue_page(session: Session, scope: Scope, status: VerificationStatus, *, page: int,
               per_page: int) -> QueuePage:
    """Pending requests oldest first (a queue); decided ones newest first. On
    ix_verification_request_status_created (a college's: …_college_status_created)."""
    order = (VerificationRequest.created_at.asc() if status is VerificationStatus.PENDING
             else VerificationRequest.created_at.desc())
    page = max(page, 1)
    rows = list(session.scalars(
        scope.apply(select(VerificationRequest), VerificationRequest)
        .where(VerificationRequest.status == status)
        .order_by(order, VerificationRequest.id).offset((page - 1) * per_page).limit(per_page + 1)))
    return QueuePage(rows[:per_page], page, len(rows) > per_page)


@dataclass(frozen=True)
class Candidate:
    record: Alumnus
    same_college: bool
    holder: WechatUser | None    # who holds the record now (None: free)


def candidates(session: Session, scope: Scope, request: VerificationRequest, *,
               limit: int) -> list[Candidate]:
    """Roster records of the same name, graduation year ± 1 and the same college; when none,
    those of the same name and years in any college the viewer may see (a college written
    another way), marked as such. Each is one range scan of ix_alumnus_name_key
    (name_key, graduation_year DESC, id DESC): fast at 1,000,000 alumni."""
    years = Alumnus.graduation_year.between(request.graduation_year - 1,
                                            request.graduation_year + 1)
    nearby = (scope.apply(select(Alumnus), Alumnus)
              .where(Alumnus.name_key == request.name_key, years)
              .order_by(Alumnus.graduation_year.desc(), Alumnus.id.desc()))
    rows = list(session.scalars(nearby.where(Alumnus.college == request.college).limit(limit)))
    same_college = bool(rows)
    if not rows:
        rows = list(session.scalars(nearby.limit(limit)))
    holders = {u.id: u for u in session.scalars(select(WechatUser).where(
        WechatUser.id.in_({r.wechat_user_id for r in rows if r.wechat_user_id is not None})))}
    return [Candidate(r, same_college, holders.get(r.wechat_user_id)) for r in rows]


class DecisionOutcome(StrEnum):
    DONE = "done"
    DECIDED_ALREADY = "decided_already"   # someone else decided first
    TAKEN = "taken"                       # the record is bound to another WeChat user
    OTHER_PERSON = "other_person"         # the user holds records of someone of another name
    NO_REASON = "no_reason"


# What staff read when a decision is refused (the binding rule that refused it).
REFUSALS = {
    DecisionOutcome.DECIDED_ALREADY: "这条申请已经处理过了。",
    DecisionOutcome.TAKEN: "该学籍已绑定在另一个微信用户上，不能再绑定。如属冒用，请先在「提醒」中处理绑定冲突。",
    DecisionOutcome.OTHER_PERSON: "该微信用户已绑定另一个姓名的学籍，一个微信只能绑定本人的学籍。",
    DecisionOutcome.NO_REASON: f"请填写驳回原因（最多 {MAX_REASON} 字），校友会收到这条原因。",
}


def _still_pending(session: Session, request: VerificationRequest) -> bool:
    """Re-read the request under a row lock (PostgreSQL; SQLite serialises writers), so two
    staff deciding at once cannot both act."""
    session.refresh(request, with_for_update=True)
    return request.status is VerificationStatus.PENDING


def approve(session: Session, request: VerificationRequest, record: Alumnus, *, now: datetime,
            actor: str, notify: Notify) -> DecisionOutcome:
    """Link `record` to the requester (binding's rules: refused if someone else holds it), mark
    the request approved and queue the alumnus's notice."""
    if not _still_pending(session, request):
        return DecisionOutcome.DECIDED_ALREADY
    user = session.get(WechatUser, request.wechat_user_id)
    result = link_alumnus(session, user, record, now=now, channel=CHANNEL)
    if result.outcome is BindOutcome.TAKEN:
        return DecisionOutcome.TAKEN
    if result.outcome is BindOutcome.OTHER_PERSON:
        return DecisionOutcome.OTHER_PERSON
    _decide(session, request, VerificationStatus.APPROVED, now=now, actor=actor)
    request.alumnus_id = record.id
    line = directory_texts.record_line(record.degree, record.graduation_year, record.college,
                                       record.major, record.class_name)
    notify(session, [request.wechat_user_id], texts.approved(record.name, line), now,
           created_by=APPROVED_BY)
    session.flush()
    return DecisionOutcome.DONE


def reject(session: Session, request: VerificationRequest, reason: str, *, now: datetime,
           actor: str, notify: Notify) -> DecisionOutcome:
    """Mark the request rejected with `reason`, which the alumnus is told."""
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > MAX_REASON:
        return DecisionOutcome.NO_REASON
    if not _still_pending(session, request):
        return DecisionOutcome.DECIDED_ALREADY
    _decide(session, request, VerificationStatus.REJECTED, now=now, actor=actor)
    request.reason = reason
    notify(session, [request.wechat_user_id], texts.rejected(reason), now, created_by=REJECTED_BY)
    session.flush()
    return DecisionOutcome.DONE


def _decide(session: Session, request: VerificationRequest, status: VerificationStatus, *,
            now: datetime, actor: str) -> None:
    request.status = status
    request.decided_at = now
    request.decided_by = actor[:64]

