"""POST /me/verification: ask staff to verify one's identity by hand (人工核验), when binding by
name and student ID keeps failing. Thin over handlers.verification.requests, the bot's 人工审核
rules: offered after the same failed attempts (counted across both doors), one pending request.
"""

from __future__ import annotations

from flask import Blueprint

from handlers.context import STORE_DOWN
from handlers.verification import texts
from handlers.verification.requests import (
    DetailsError,
    RequestOutcome,
    VerificationDetails,
    may_request,
    pending_request,
    request_verification,
)
from models import VerificationRequest
from wechat_bot.api.context import CHANNEL, current_user, now, settings
from wechat_bot.api.errors import ApiError
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import VerificationIn, VerificationOut
from wechat_bot.runtime import current_runtime

bp = Blueprint("verification", __name__)


def verification_out(request: VerificationRequest) -> VerificationOut:
    return VerificationOut(
        id=request.id, status=request.status.value, name=request.name,
        graduation_year=request.graduation_year, college=request.college, major=request.major,
        student_id=request.student_id, photo_url=request.photo_url,
        created_at=request.created_at.isoformat())


@bp.post("/me/verification")
@operation(ok=VerificationOut, status=201, errors=(403, 409, 503), tags=["me"])
def request_review(json: VerificationIn):
    """申请人工核验身份：用姓名和学号绑定多次不成功时，把姓名、毕业年份、学院、专业（学号、照片链接
    可选）交给校友会工作人员核验。

    与公众号的「人工审核」规则相同：一小时内绑定失败 3 次（或绑定已被锁定）后才能申请，否则 403
    `verification_not_offered`；已有待审核的申请时返回 409 `verification_pending`。审核结果通过
    公众号的通知告诉校友。"""
    rt = current_runtime()
    with rt.sessions.begin() as session:
        user = current_user(session)
        if pending_request(session, user) is not None:
            raise ApiError(409, "verification_pending", texts.PENDING)
        try:
            allowed = may_request(rt.store, settings(), user.id, now())
        except STORE_DOWN:
            raise ApiError(503, "verification_unavailable", texts.UNAVAILABLE) from None
        if not allowed:
            raise ApiError(403, "verification_not_offered",
                           texts.not_offered(settings().verification.offer_after_failures))
        details = VerificationDetails(
            name=json.name, graduation_year=json.graduation_year, college=json.college,
            major=json.major, student_id=json.student_id, photo_url=json.photo_url)
        try:
            result = request_verification(session, user, details, now=now(), channel=CHANNEL)
        except DetailsError as bad:
            raise ApiError(422, "validation_failed", str(bad)) from None
        if result.outcome is RequestOutcome.PENDING:
            raise ApiError(409, "verification_pending", texts.PENDING)
        return verification_out(result.request), 201
