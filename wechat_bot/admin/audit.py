"""`audit(...)`: what an admin view calls to put what it did in the audit log.

The actor is the logged-in account (or `actor=` for a login attempt, before anyone is logged
in), the IP the request's, the time now. It flushes in the view's session: the entry is committed
with the change it describes, so a change that fails leaves no entry claiming it happened.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request
from flask_login import current_user

from handlers.staff.audit import record_audit
from models import AuditEntry
from wechat_bot.admin.db import db


def audit(action: str, target: str = "", detail: str = "", *, actor: str | None = None) -> AuditEntry:
    """Record `action` (a key of handlers.staff.audit.ACTIONS) on `target` (what was acted on,
    e.g. "账号 wang" or "校友 2012010101"), with `detail` (what changed)."""
    if actor is None:
        actor = current_user.username if current_user.is_authenticated else "（未登录）"
    return record_audit(db(), at=datetime.now(UTC), actor=actor, action=action, target=target,
                        detail=detail, ip=request.remote_addr)
