"""A push queued right after a user's message, to a user only the customer-service window reaches:
the message log writes the message about a second later (the write-behind flusher), so delivery
must not decide before it and call the user unreachable for good."""

from __future__ import annotations

from sqlalchemy import select

from models.push import Delivery
from scheduler.jobs import deliver_pushes
from tests.push.test_sandbox_delivery import NO_TEMPLATE, _followers, _queue
from tests.wechat import post, text_xml
from wechat_bot.commands.scheduler import job_context


def test_a_push_queued_right_after_a_users_message_goes_out_in_the_window_it_opened(live_factory):
    live = live_factory(push=NO_TEMPLATE)
    (user,) = _followers(live, 1, window=False)  # follows, never wrote: no channel reaches them
    response = post(live.app.test_client(), live.config.wechat.token, text_xml(user.openid, "帮助"))
    assert response.status_code == 200
    live.sandbox.allowance.open(user.openid, "message")  # WeChat's side of that message
    push = _queue(live, f"openids:{user.openid}", text="您报名的活动改到周六下午")

    deliver_pushes(job_context(live.runtime, identity="t"))

    (entry,) = live.arrived(user.openid)
    assert entry["channel"] == "custom"
    with live.runtime.sessions() as session:
        (row,) = session.scalars(select(Delivery).where(Delivery.push_id == push.id))
        assert (row.status, row.channel) == ("sent", "custom")
