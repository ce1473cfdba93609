"""What a WeChat failure means, in one Chinese line for staff and operators (PROTOCOL.md 5, 6).

One table for every door that shows an errcode: push-status next to a failed delivery, and the
CLI when WeChat cannot be reached, refuses the token or answers something unexpected.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from wechatpy.exceptions import WeChatClientException

ERRCODE_MEANINGS = {
    -1: "微信系统繁忙",
    40001: "访问令牌或 AppSecret 无效",
    40003: "openid 无效",
    40013: "AppID 无效",
    40014: "访问令牌无效",
    40037: "模板 ID 无效",
    40125: "AppSecret 无效",
    40164: "本机 IP 不在公众号的 IP 白名单中",
    41001: "缺少访问令牌",
    42001: "访问令牌已过期",
    43004: "用户未关注公众号",
    43101: "用户未授权订阅消息",
    45009: "接口当日调用次数已用完",
    45015: "不在客服消息时限内",
    45047: "客服消息条数已用完",
    47003: "模板数据不合规",
    48001: "接口未授权",
    48002: "用户拒收本账号消息",
}
# Refusals the operator fixes in the configuration or the official account's console.
CREDENTIAL_ERRCODES = frozenset({40001, 40013, 40125, 40164})


def errcode_text(errcode: int | None) -> str:
    meaning = ERRCODE_MEANINGS.get(errcode)
    return f"错误码 {errcode}（{meaning}）" if meaning else f"错误码 {errcode}"


def where(exc: requests.RequestException, fallback: str) -> str:
    """The address a failed call went to, without its query (it may carry a secret or token)."""
    url = getattr(getattr(exc, "request", None), "url", None) or fallback
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else fallback


def describe_failure(exc: BaseException, api_base_url: str) -> str | None:
    """One line for a WeChat call that failed, or None when `exc` is not such a failure."""
    if isinstance(exc, WeChatClientException):
        if exc.errcode in (None, 0):
            status = getattr(getattr(exc, "response", None), "status_code", None) or 0
            what = f"HTTP {status}" if status >= 400 else (exc.errmsg or "无法识别的回答")
            return f"微信接口出错（{what}）：{api_base_url}，请检查 wechat.api_base_url"
        hint = "，请检查 [wechat] app_id、app_secret 和公众号后台的 IP 白名单" \
            if exc.errcode in CREDENTIAL_ERRCODES else ""
        return f"微信拒绝了请求：{errcode_text(exc.errcode)}{hint}"
    if isinstance(exc, requests.Timeout):
        return f"连接微信接口超时：{where(exc, api_base_url)}，请检查网络或 wechat.api_base_url"
    if isinstance(exc, requests.ConnectionError):
        return f"无法连接微信接口：{where(exc, api_base_url)}，请检查网络或 wechat.api_base_url"
    if isinstance(exc, requests.RequestException):
        return f"调用微信接口失败（{type(exc).__name__}）：{where(exc, api_base_url)}"
    return None
