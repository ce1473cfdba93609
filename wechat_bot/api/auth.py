"""POST /auth/login and POST /auth/logout (PROTOCOL.md section 9)."""

from __future__ import annotations

import logging

import requests
from flask import Blueprint
from wechatpy.exceptions import WeChatClientException

from handlers.directory.binding import bound_records
from wechat_bot.api.accounts import sign_in
from wechat_bot.api.context import now, token_service
from wechat_bot.api.errors import ApiError
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import LoggedOut, LoginIn, LoginOut
from wechat_bot.api.tokens import current_identity
from wechat_bot.runtime import current_runtime
from wechat_bot.wechat_errors import describe_failure

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)

# jscode2session errcodes -> what the mini-program is told.
LOGIN_ERRORS = {
    40029: (401, "invalid_code", "登录凭证无效或已过期，请重新登录。"),
    40163: (401, "code_used", "登录凭证已使用过，请重新登录。"),
    40226: (403, "login_blocked", "微信判定该账号存在风险，暂时无法登录。"),
    45011: (429, "login_rate_limited", "登录太频繁了，请稍后再试。"),
}
UNAVAILABLE = (503, "wechat_unavailable", "暂时无法连接微信服务，请稍后再试。")


def _exchange(code: str) -> dict:
    rt = current_runtime()
    mp = rt.config.miniprogram
    try:
        answer = rt.wechat.code_to_session(mp.app_id, mp.app_secret, code)
    except WeChatClientException as exc:
        if exc.errcode in LOGIN_ERRORS:
            raise ApiError(*LOGIN_ERRORS[exc.errcode]) from None
        # An HTTP error comes as errcode None: say what it was, not "errcode None".
        log.error("jscode2session 调用失败：%s", describe_failure(exc, rt.config.wechat.api_base_url))
        raise ApiError(*UNAVAILABLE) from None
    except (requests.RequestException, ValueError):
        log.exception("jscode2session 无法连接")
        raise ApiError(*UNAVAILABLE) from None
    if not isinstance(answer.get("openid"), str) or not answer["openid"]:
        log.error("jscode2session 的回答里没有 openid")
        raise ApiError(*UNAVAILABLE)
    return answer


@bp.post("/auth/login")
@operation(ok=LoginOut, errors=(401, 403, 429, 503), public=True, tags=["auth"])
def login(json: LoginIn):
    """用 `wx.login()` 的 code 换取令牌。

    code 经微信的 `sns/jscode2session` 换成用户身份，找到或新建微信用户（按 unionid 与公众号的
    关注者对应为同一人）。微信的 `session_key` 只留在服务器上。
    """
    answer = _exchange(json.code)
    unionid = answer.get("unionid") if isinstance(answer.get("unionid"), str) else None
    with current_runtime().sessions.begin() as session:
        user = sign_in(session, answer["openid"][:64], unionid[:64] if unionid else None, now())
        user_id, bound = user.id, bool(bound_records(session, user))
    session_key = answer.get("session_key") if isinstance(answer.get("session_key"), str) else None
    issued = token_service().issue(user_id, session_key)
    return LoginOut(token=issued.token, expires_in=issued.expires_in, bound=bound)


@bp.post("/auth/logout")
@operation(ok=LoggedOut, tags=["auth"])
def logout():
    """注销本次请求所带的令牌；其他设备上的登录不受影响。"""
    token_service().revoke(current_identity())
    return LoggedOut()
