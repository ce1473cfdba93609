"""POST /me/subscriptions: the subscribe-message consents the mini-program collected.

`wx.requestSubscribeMessage` lets the alumnus allow one message per template; the mini-program
reports the templates they allowed here, and the push outbox spends one consent per send.
"""

from __future__ import annotations

from flask import Blueprint

from models.push import grant_subscribe_consents
from wechat_bot.api.context import current_user, now
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import SubscriptionsIn, SubscriptionsOut
from wechat_bot.runtime import current_runtime

bp = Blueprint("subscriptions", __name__)


@bp.post("/me/subscriptions")
@operation(ok=SubscriptionsOut, tags=["me"])
def record_subscriptions(json: SubscriptionsIn):
    """记录校友同意的订阅消息模板，每个模板一次授权（可发送一条订阅消息）。

    只上报 `wx.requestSubscribeMessage` 中结果为 `accept` 的模板；多次授权累加。"""
    template_ids = list(dict.fromkeys(json.template_ids))
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        grant_subscribe_consents(session, user.id, template_ids, now())
    return SubscriptionsOut(recorded=template_ids)
