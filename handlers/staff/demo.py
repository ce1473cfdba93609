"""The demo's admin account: made once, its password shown once (in `alumni-bot demo`'s banner).

A restart of the same demo keeps the account and its password: printing a new password that
does not work would be worse than printing none.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from handlers.staff.accounts import Place, create_account, find_account
from handlers.staff.audit import CLI_ACTOR, record_audit
from handlers.staff.settings import AdminSettings
from models import StaffRole

DEMO_ADMIN = "admin"
# Letters and digits that read unambiguously off a terminal (no 0/O, 1/l/I).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def demo_password() -> str:
    """Like "k7pm-x3ra-qe9w": easy to type, 60 bits."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))


def ensure_demo_admin(session: Session, settings: AdminSettings, *, now: datetime) -> str | None:
    """Create the demo's admin if there is none; answers its password, or None if it existed."""
    if find_account(session, DEMO_ADMIN) is not None:
        return None
    password = demo_password()
    create_account(session, DEMO_ADMIN, password, StaffRole.ADMIN, Place(), settings=settings,
                   now=now)
    record_audit(session, at=now, actor=CLI_ACTOR, action="account_created",
                 target=f"账号 {DEMO_ADMIN}", detail="演示管理员（alumni-bot demo）")
    return password


def link_test_recipient(session: Session, openid: str) -> None:
    """The demo admin's 发送测试 goes to the first person of the sandbox's chat page (so a test
    shows up there); an address the admin set themself is kept."""
    account = find_account(session, DEMO_ADMIN)
    if account is not None and not account.test_openid:
        account.test_openid = openid
