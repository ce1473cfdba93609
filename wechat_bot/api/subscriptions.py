"""POST /me/subscriptions: the subscribe-message consents the mini-program collected.

`wx.requestSubscribeMessage` lets the alumnus allow one message per template; the mini-program
reports the templates they allowed here, and the push outbox spends one consent per send.
"""

from __future__ import annotations

from models.push import grant_subscribe_consents
from wechat_bot.api import bp
from wechat_bot.api.context import current_user, now, runtime
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import SubscriptionsIn, SubscriptionsOut


@bp.post("/me/subscriptions")
@operation(ok=SubscriptionsOut, tags=["me"])
def record_subscriptions(json: SubscriptionsIn):
    """Record one consent per template the alumnus allowed (each allows one subscribe message).
    Report only the templates whose answer was `accept`; repeated consents add up."""
    template_ids = list(dict.fromkeys(json.template_ids))
    with runtime().sessions.begin() as session:
        user = current_user(session)
        grant_subscribe_consents(session, user.id, template_ids, now())
    return SubscriptionsOut(recorded=template_ids)
