"""Flask's signed-cookie sessions, skipped for requests that carry no session cookie."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """Flask builds its signing serializer (a key derivation) on every request before it even
    looks for the cookie; WeChat's webhook calls never carry one and come thousands a second."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
