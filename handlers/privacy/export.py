"""我的数据: everything the system holds about one person, as one JSON-ready dict, and its summary."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from handlers.chapters.personal_data import export_chapters
from handlers.circles.personal_data import export_circles
from handlers.consent.personal_data import export_consents
from handlers.directory.personal_data import export_binding_history, export_records, export_searches
from handlers.events.personal_data import export_registrations
from handlers.mentors.personal_data import export_mentoring
from handlers.privacy.account import export_messages, export_user
from handlers.privacy.deliveries import export_pushes
from handlers.reunion.personal_data import export_reunions
from handlers.verification.personal_data import export_verifications
from models import WechatUser

# Each kind's name in the summary the bot replies with, in the export's order.
KINDS = {
    "records": "绑定的学籍", "binding_history": "绑定记录", "reunions": "返校预约",
    "registrations": "活动报名", "chapters": "加入的分会", "circles": "校友圈",
    "mentoring": "导师与请求", "verifications": "人工核验申请", "consents": "推送偏好与订阅",
    "pushes": "收到的推送", "messages": "消息记录", "searches": "查询记录",
}


def my_data(session: Session, user: WechatUser, now: dt.datetime) -> dict[str, Any]:
    return {
        "exported_at": now,
        "wechat_user": export_user(user),
        "records": export_records(session, user),
        "binding_history": export_binding_history(session, user),
        "reunions": export_reunions(session, user),
        "registrations": export_registrations(session, user),
        "chapters": export_chapters(session, user),
        "circles": export_circles(session, user),
        "mentoring": export_mentoring(session, user),
        "verifications": export_verifications(session, user),
        "consents": export_consents(session, user),
        "pushes": export_pushes(session, user),
        "messages": export_messages(session, user),
        "searches": export_searches(session, user),
    }


def count(value: Any) -> int:
    """Rows in one kind: a list's length, a dict's rows summed over its lists (a profile is 1)."""
    if isinstance(value, list):
        return len(value)
    if isinstance(value, dict):
        return sum(count(v) if isinstance(v, list) else (1 if v else 0) for v in value.values())
    return 0


def summary(data: dict[str, Any]) -> dict[str, int]:
    """Kind -> how many rows, for the bot's reply."""
    return {kind: count(data[kind]) for kind in KINDS}


def as_json(value: Any) -> Any:
    """The dict with dates as ISO text, ready for json.dumps (the download and the API)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
