"""One person, one WechatUser: the follower of the official account and the mini-program user meet
on their unionid (the same person across both, when both belong to one open-platform account).

WeChat tells the mini-program the unionid at every login (jscode2session), but tells the official
account only when asked (user/info). So the scheduler asks for each new or returning follower
(`followers_without_unionid`, then `record_unionids`), and whichever side learns the unionid
second merges the two rows into one (`merge_users`): binding, chapter memberships, consents,
deliveries and the audit trail move to the follower's row, which keeps both openids.

Two rows bound to different people are never merged (one of them is impersonating, or a family
shares a phone): staff get an alert and decide.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models import (
    Alumnus,
    BindingEvent,
    SearchLog,
    StaffAlert,
    VerificationRequest,
    VerificationStatus,
    WechatUser,
)
from models.chapter import ChapterMember
from models.push import Delivery, SubscribeConsent

log = logging.getLogger(__name__)

DUPLICATE_ALERT = "wechat_user_duplicate"
BATCH = 100  # user/info/batchget takes at most 100 openids


@dataclass(frozen=True)
class UnionidReport:
    asked: int = 0
    linked: int = 0   # a unionid recorded on a follower
    merged: int = 0   # and a mini-program row folded into it
    refused: int = 0  # two rows of different people: staff alerted


def followers_without_unionid(session: Session, limit: int = BATCH) -> list[str]:
    """Openids of followers WeChat has not been asked about yet (new, or following again)."""
    return list(session.scalars(
        select(WechatUser.openid)
        .where(WechatUser.openid.is_not(None), WechatUser.subscribed.is_(True),
               WechatUser.unionid.is_(None), WechatUser.unionid_checked_at.is_(None))
        .order_by(WechatUser.id).limit(limit)))


def record_unionids(session: Session, answers: Mapping[str, str | None], now: datetime) -> UnionidReport:
    """What user/info answered (openid -> unionid, None when the account has no open platform):
    mark each follower asked, and link or merge it with a mini-program row of the same person."""
    linked = merged = refused = 0
    for openid, unionid in answers.items():
        follower = session.scalar(select(WechatUser).where(WechatUser.openid == openid))
        if follower is None:
            continue
        follower.unionid_checked_at = now
        if not unionid or follower.unionid == unionid:
            continue
        other = session.scalar(select(WechatUser).where(WechatUser.unionid == unionid))
        if other is None:
            follower.unionid = unionid
            linked += 1
        elif merge_users(session, keep=follower, other=other, now=now):
            linked += 1
            merged += 1
        else:
            refused += 1
    session.flush()
    return UnionidReport(len(answers), linked, merged, refused)


def merge_users(session: Session, *, keep: WechatUser, other: WechatUser, now: datetime) -> bool:
    """Fold `other` (a mini-program row) into `keep` (the follower): everything `other` holds moves,
    `keep` takes its openids and unionid, `other` is deleted. False (and a staff alert, once) when
    both hold roster records of different people. Flushes, never commits."""
    if not _same_person(session, keep, other):
        _alert_once(session, keep, other, now)
        return False
    moved = {"wechat_user_id": keep.id}
    for table in (Alumnus, BindingEvent, SearchLog, StaffAlert):
        session.execute(update(table).where(table.wechat_user_id == other.id).values(moved)
                        .execution_options(synchronize_session=False))
    _move_verification_requests(session, keep, other)
    _move_unique(session, ChapterMember, ChapterMember.chapter_id, keep, other)
    _move_unique(session, Delivery, Delivery.push_id, keep, other)
    _merge_consents(session, keep, other)
    identifiers = {"miniprogram_openid": other.miniprogram_openid,
                   "unionid": other.unionid or keep.unionid}
    first_seen = min(keep.created_at, other.created_at)
    session.execute(delete(WechatUser).where(WechatUser.id == other.id)
                    .execution_options(synchronize_session=False))
    session.expunge(other)
    session.flush()  # the unique openids are free before `keep` takes them
    keep.miniprogram_openid = keep.miniprogram_openid or identifiers["miniprogram_openid"]
    keep.unionid = identifiers["unionid"]
    keep.created_at = first_seen
    session.flush()
    log.info("微信用户 #%s 已并入 #%s（同一 unionid）", other.id, keep.id)
    return True


def _same_person(session: Session, keep: WechatUser, other: WechatUser) -> bool:
    names = {}
    for user_id, name_key in session.execute(select(Alumnus.wechat_user_id, Alumnus.name_key)
                                             .where(Alumnus.wechat_user_id.in_((keep.id, other.id)))):
        names.setdefault(user_id, set()).add(name_key)
    return len(names) < 2 or names[keep.id] == names[other.id]


def _move_unique(session: Session, table, partner, keep: WechatUser, other: WechatUser) -> None:
    """Move `other`'s rows of a table unique on (partner, user), except where `keep` has one."""
    taken = select(partner).where(table.wechat_user_id == keep.id)
    session.execute(update(table).where(table.wechat_user_id == other.id, partner.not_in(taken))
                    .values(wechat_user_id=keep.id).execution_options(synchronize_session=False))


def _move_verification_requests(session: Session, keep: WechatUser, other: WechatUser) -> None:
    """A request follows its person (deleting `other` would cascade it away), except a second
    pending one: one open request per user, and `keep`'s stands."""
    pending = VerificationRequest.status == VerificationStatus.PENDING
    keep_has_pending = session.scalar(select(VerificationRequest.id).where(
        VerificationRequest.wechat_user_id == keep.id, pending)) is not None
    movable = VerificationRequest.wechat_user_id == other.id
    session.execute(update(VerificationRequest)
                    .where(movable, ~pending if keep_has_pending else movable)
                    .values(wechat_user_id=keep.id).execution_options(synchronize_session=False))


def _merge_consents(session: Session, keep: WechatUser, other: WechatUser) -> None:
    """Subscribe-message consents add up: each was a separate 允许."""
    theirs = session.execute(select(SubscribeConsent.template_id, SubscribeConsent.remaining)
                             .where(SubscribeConsent.wechat_user_id == other.id)).all()
    for template_id, remaining in theirs:
        added = session.execute(
            update(SubscribeConsent)
            .where(SubscribeConsent.wechat_user_id == keep.id,
                   SubscribeConsent.template_id == template_id)
            .values(remaining=SubscribeConsent.remaining + remaining)
            .execution_options(synchronize_session=False)).rowcount
        if added:
            session.execute(delete(SubscribeConsent).where(
                SubscribeConsent.wechat_user_id == other.id,
                SubscribeConsent.template_id == template_id))
    session.execute(update(SubscribeConsent).where(SubscribeConsent.wechat_user_id == other.id)
                    .values(wechat_user_id=keep.id).execution_options(synchronize_session=False))


def _alert_once(session: Session, keep: WechatUser, other: WechatUser, now: datetime) -> None:
    message = (f"同一微信用户（unionid 相同）有两条记录：#{keep.id}（公众号）与 #{other.id}（小程序），"
               "分别绑定了不同人的学籍，未自动合并。请核实是否冒用身份。")
    already = session.scalar(select(StaffAlert.id).where(
        StaffAlert.kind == DUPLICATE_ALERT, StaffAlert.message == message,
        StaffAlert.resolved_at.is_(None)))
    if already is None:
        log.warning("微信用户 #%s 与 #%s 的 unionid 相同，却绑定了不同的人", keep.id, other.id)
        session.add(StaffAlert(kind=DUPLICATE_ALERT, message=message, created_at=now))
        session.flush()
