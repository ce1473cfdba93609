"""What 我的数据 shows and 注销 erases of the directory (handlers.privacy calls these): the roster
records bound to the person, what they said about themself, their privacy choice, the history of
their binding, and the searches they made.

The roster record is the school's and stays; 注销 puts it back to what the roster holds (no
profile_* values, the default privacy) and unbinds it, so anyone may bind it again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handlers.context import STORE_DOWN
from handlers.directory.binding import bound_records, unbind
from handlers.directory.searching import forget_last_search
from handlers.directory.settings import DirectorySettings
from models import Alumnus, Privacy, WechatUser
from models.alumnus import ROSTER_FIELDS
from models.audit import BindingEvent, SearchLog

EXPORTED_SEARCHES = 1000


def export_records(session: Session, user: WechatUser) -> list[dict[str, Any]]:
    """The person's own records in full: their own phone and e-mail included (nobody else's)."""
    return [{**{name: getattr(r, name) for name in ROSTER_FIELDS},
             "my_city": r.profile_city, "my_employer": r.profile_employer,
             "my_industry": r.profile_industry, "privacy": r.privacy.value, "bound_at": r.bound_at}
            for r in bound_records(session, user)]


def export_binding_history(session: Session, user: WechatUser) -> list[dict[str, Any]]:
    rows = session.execute(select(BindingEvent, Alumnus.student_id)
                           .outerjoin(Alumnus, Alumnus.id == BindingEvent.alumnus_id)
                           .where(BindingEvent.wechat_user_id == user.id).order_by(BindingEvent.id)).all()
    return [{"kind": e.kind, "student_id": student_id, "channel": e.channel, "at": e.at}
            for e, student_id in rows]


def export_searches(session: Session, user: WechatUser) -> list[dict[str, Any]]:
    rows = session.scalars(select(SearchLog).where(SearchLog.wechat_user_id == user.id)
                           .order_by(SearchLog.searched_at.desc()).limit(EXPORTED_SEARCHES))
    return [{"query": s.query, "page": s.page, "hits": s.hits, "channel": s.channel,
             "at": s.searched_at} for s in rows]


def erase_directory(session: Session, user: WechatUser, *, now: dt.datetime, store,
                    settings: DirectorySettings) -> int:
    """Reset and unbind the records, delete the binding history and the searches; returns how
    many records were unbound."""
    for record in bound_records(session, user):
        record.profile_city = record.profile_employer = record.profile_industry = None
        record.privacy = Privacy.CLASSMATES
    session.flush()
    records = unbind(session, user, now=now, channel="privacy")
    for model in (BindingEvent, SearchLog):
        session.execute(delete(model).where(model.wechat_user_id == user.id)
                        .execution_options(synchronize_session=False))
    try:
        forget_last_search(store, settings, user.id)
    except STORE_DOWN:  # the remembered last search expires by itself (last_search_ttl_seconds)
        pass
    return len(records)
