"""Every request's id: nginx's `X-Request-ID` when it is well formed, else a new one; current
while the app handles the request (telemetry.requests) and echoed in the response's header.

A WSGI middleware rather than Flask hooks: it costs one context-variable set and reset, and it
covers every door (webhook, API, admin, /metrics) and every error page alike.
"""

from __future__ import annotations

from telemetry.requests import accepted_request_id, enter_request, leave_request

HEADER = "X-Request-ID"


class RequestIds:
    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        request_id = accepted_request_id(environ.get("HTTP_X_REQUEST_ID"))
        environ["alumni_bot.request_id"] = request_id

        def start(status, headers, exc_info=None):
            headers.append((HEADER, request_id))
            return start_response(status, headers, exc_info)

        token = enter_request(request_id)
        try:
            return self.app(environ, start)
        finally:
            leave_request(token)
