"""POST /reunions/bookings/{id}/feedback: the bot's 返校评价, for the mini-program.

Thin over handlers.reunion.feedback: the same rule (a bound member of a visited booking, a score
of 1-5, one answer per member that a second one replaces).
"""

from __future__ import annotations

from flask import Blueprint
from pydantic import BaseModel, Field

from handlers.reunion.feedback import TEXT_LIMIT, BadFeedback, Outcome, give_feedback
from wechat_bot.api.context import current_user, now
from wechat_bot.api.errors import ApiError
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import text as bounded_text
from wechat_bot.runtime import current_runtime

bp = Blueprint("reunion_feedback", __name__)


class FeedbackIn(BaseModel):
    score: int = Field(ge=1, le=5, description="1-5 分，5 分最满意")
    text: bounded_text(TEXT_LIMIT) = Field("", description=f"一句话感受（可空，最多 {TEXT_LIMIT} 字）")


class FeedbackOut(BaseModel):
    booking_id: int
    score: int
    text: str | None
    replaced: bool = Field(description="是否替换了此前的评价（每位校友每次返校只保留最新一条）")


_REFUSALS = {
    Outcome.NO_SUCH_BOOKING: (404, "not_found"),
    Outcome.NOT_MEMBER: (403, "not_member"),
    Outcome.NOT_VISITED: (409, "not_visited"),
}


@bp.post("/reunions/bookings/<int:booking_id>/feedback")
@operation(ok=FeedbackOut, errors=(403, 404, 409), tags=["reunions"])
def give_reunion_feedback(booking_id: int, json: FeedbackIn):
    """为一次已完成的返校打分（1-5）并留一句话。

    只有该预约名单中的已绑定校友可以评价，且须在返校结束（已返校）之后；再次评价会替换上一条。
    编号不存在 404；不在名单中 403 `not_member`；尚未返校 409 `not_visited`；分数不在 1-5 时 422。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        try:
            answer = give_feedback(session, user, booking_id, json.score, json.text, now=now())
        except BadFeedback as bad:
            raise ApiError(422, "validation_failed", str(bad)) from None
        if not answer.ok:
            status, code = _REFUSALS[answer.outcome]
            raise ApiError(status, code, answer.message())
        line = json.text.strip() or None
    return FeedbackOut(booking_id=booking_id, score=json.score, text=line,
                       replaced=answer.outcome is Outcome.UPDATED)
