"""The API's one way to say no: `{"error": {"code", "message"}}` with a fitting status.

Views raise `ApiError`; the handlers below turn it (and anything else that escapes a view) into
`error_response`. Codes are stable English words for the mini-program's logic, messages are Chinese
for the alumnus. An unexpected exception is logged with its traceback and answered with a generic
sentence, never its text (STYLE.md, practice 10).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from models.db import database_unreachable

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

# What werkzeug's own errors (routing, body size, bad requests) become.
HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request", "请求格式不正确。"),
    401: ("unauthorized", "请先登录。"),
    403: ("forbidden", "没有权限进行此操作。"),
    404: ("not_found", "没有这个接口或资源。"),
    405: ("method_not_allowed", "该接口不支持这种请求方法。"),
    413: ("payload_too_large", "请求内容太大了。"),
    415: ("unsupported_media_type", "请以 JSON 格式提交（Content-Type: application/json）。"),
    429: ("rate_limited", "操作太频繁了，请稍后再试。"),
}
INTERNAL = ("internal_error", "服务暂时出了点问题，请稍后再试。")
MAINTENANCE = ("maintenance", "系统维护中，请稍后再试。")


class ApiError(Exception):
    """A refusal the client should see: status, a stable code, a Chinese message."""

    def __init__(self, status: int, code: str, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def error_response(status: int, code: str, message: str, *, retry_after: int | None = None) -> Response:
    """The single shape of every API error (microblog's helper, in our words)."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if retry_after:
        response.headers["Retry-After"] = str(int(retry_after))
    return response


def unauthorized(message: str = "请先登录。", code: str = "unauthorized") -> ApiError:
    return ApiError(401, code, message)


def _api_error(error: ApiError) -> Response:
    return error_response(error.status, error.code, error.message, retry_after=error.retry_after)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500 or status not in HTTP_ERRORS:
        status, (code, message) = (500, INTERNAL) if status >= 500 else (400, HTTP_ERRORS[400])
    else:
        code, message = HTTP_ERRORS[status]
    response = error_response(status, code, message)
    valid_methods = getattr(error, "valid_methods", None)
    if status == 405 and valid_methods:
        response.headers["Allow"] = ", ".join(sorted(valid_methods))
    return response


def _unexpected(error: Exception) -> Response:
    if database_unreachable(error):
        log.warning("数据库不可用（%s）：接口请求 %s %s 回复系统维护中", type(error).__name__,
                    request.method, request.path)
        return error_response(503, *MAINTENANCE, retry_after=30)
    log.exception("接口请求 %s %s 出错", request.method, request.path)
    return error_response(500, *INTERNAL)


def _is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def _answer_routing_errors():
    """An unknown path or method under /api/v1 fails in routing, before any blueprint is chosen,
    so the blueprint's handlers never see it. Flask runs the app's before_request functions before
    raising a routing error: answer it here, in the API's shape, for our prefix only."""
    failure = request.routing_exception
    if isinstance(failure, HTTPException) and failure.code in (404, 405) and _is_api_request():
        return _http_error(failure)
    return None


def register(bp) -> None:
    """Every error raised in an API view, answered in the API's shape."""
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(Exception, _unexpected)


def init_app(app: Flask) -> None:
    app.before_request(_answer_routing_errors)
