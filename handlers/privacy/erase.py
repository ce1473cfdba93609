"""注销: unbind a person and erase what they provided, feature by feature, in one transaction.

The order matters: the features that cancel through their own services (a booking, a
registration, a mentor's open requests) run first, while the person is still bound and their
notices can still name them; the binding goes next; the WeChat user itself last. What stays and
why: docs/privacy.md. Flushes, never commits: the door commits once, so a failure erases nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from handlers.chapters.personal_data import erase_chapters
from handlers.circles.personal_data import erase_circles
from handlers.consent.personal_data import erase_consents
from handlers.directory.personal_data import erase_directory
from handlers.events.personal_data import erase_registrations
from handlers.mentors.personal_data import erase_mentoring
from handlers.notices import Notify
from handlers.privacy.account import erase_messages, erase_user
from handlers.privacy.deliveries import cancel_waiting_pushes
from handlers.reunion.personal_data import erase_reunions
from handlers.settings import Settings
from handlers.staff.audit import record_audit
from handlers.verification.personal_data import erase_verifications
from models import WechatUser

AUDIT_ACTOR = "（校友本人）"
AUDIT_ACTION = "account_erased"


@dataclass(frozen=True)
class Erased:
    """What 注销 did, in numbers only (the audit entry's detail)."""

    bookings: int
    registrations_cancelled: int
    mentoring: int
    circles: int
    chapters: int
    consents: int
    verifications: int
    records_unbound: int
    pushes_cancelled: int
    messages: int

    def detail(self) -> str:
        return "，".join(f"{k}={v}" for k, v in vars(self).items())


def erase_account(session: Session, user: WechatUser, *, now: dt.datetime, settings: Settings, store,
                  notify: Notify | None, channel: str) -> Erased:
    erased = Erased(
        bookings=erase_reunions(session, user, now=now, settings=settings, notify=notify),
        registrations_cancelled=erase_registrations(session, user, now=now, settings=settings,
                                                    notify=notify),
        mentoring=erase_mentoring(session, user, now=now, notify=notify),
        circles=erase_circles(session, user, now=now),
        chapters=erase_chapters(session, user),
        consents=erase_consents(session, user),
        verifications=erase_verifications(session, user),
        records_unbound=erase_directory(session, user, now=now, store=store, settings=settings.directory),
        pushes_cancelled=cancel_waiting_pushes(session, user, now),
        messages=erase_messages(session, user),
    )
    # No name, no openid: the placeholder row's number, which names nobody once erased.
    record_audit(session, at=now, actor=AUDIT_ACTOR, action=AUDIT_ACTION, target=f"微信用户 #{user.id}",
                 detail=f"{channel}：{erased.detail()}")
    erase_user(session, user, now)
    return erased

