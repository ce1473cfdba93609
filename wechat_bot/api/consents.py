"""GET/PUT /me/consents: the push categories and which of them the alumnus receives (SPEC 6).

The same rules as the bot's 退订 / 订阅 (handlers.consent), recorded with the `api` channel.
"""

from __future__ import annotations

from flask import Blueprint

from handlers.consent.bot import ALWAYS
from handlers.consent.categories import BY_KEY
from handlers.consent.preferences import ConsentChannel, choices, is_opted_out, set_opt_out
from wechat_bot.api.context import current_user, now
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import ConsentOut, ConsentsIn, ConsentsOut
from wechat_bot.runtime import current_runtime

bp = Blueprint("consents", __name__)


def _consents(session, user_id: int) -> ConsentsOut:
    return ConsentsOut(always=ALWAYS, items=[
        ConsentOut(category=category.key, label=category.label, about=category.about,
                   subscribed=not is_opted_out(row, category), opt_in=category.opt_in,
                   changed_at=row.changed_at.isoformat() if row else None,
                   channel=row.channel if row else None)
        for category, row in choices(session, user_id)])


@bp.get("/me/consents")
@operation(ok=ConsentsOut, tags=["me"])
def get_consents():
    """推送类别（校友会通知、活动、返校、分会、校友圈，以及需订阅的新闻类别）以及我是否接收。"""
    with current_runtime().sessions.begin() as session:
        return _consents(session, current_user(session).id)


@bp.put("/me/consents")
@operation(ok=ConsentsOut, tags=["me"])
def put_consents(json: ConsentsIn):
    """退订或恢复接收某些类别的推送（`subscribed: false` 为退订）；未列出的类别不变。

    与本人有关的通知（预约、报名、身份核验）不属于任何类别，总会发送。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        for change in json.items:
            set_opt_out(session, user.id, BY_KEY[change.category], not change.subscribed,
                        channel=ConsentChannel.API, now=now())
        return _consents(session, user.id)
