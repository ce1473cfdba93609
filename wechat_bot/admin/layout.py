"""What every admin page's template gets (the menu, the vendored chart library's path) and the
headers every admin response carries."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, request

from models.staff import ROLE_LABELS
from wechat_bot.admin.nav import group_tabs, is_current, visible_nav

CHART_JS = "vendor/chart-4.6.2.umd.min.js"  # static/vendor/README.txt says where it came from

# Scripts and styles only from our own static files: an injected <script> would not run even if
# a value slipped past the templates' escaping.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _is_admin_request() -> bool:
    # By path, not blueprint: an unknown /admin/… path has none, and gets the admin's 404 page.
    return request.path == "/admin" or request.path.startswith("/admin/")


def init_app(app: Flask) -> None:
    zone = app.extensions["alumni_bot"].config.zone

    @app.template_filter("admin_time")
    def _admin_time(value: datetime, seconds: bool = False) -> str:
        """A stored (UTC) time as the school's clock shows it."""
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")

    @app.context_processor
    def _layout() -> dict:
        if not _is_admin_request():
            return {}
        config = app.extensions["alumni_bot"].config
        return {"admin_nav": visible_nav, "nav_tabs": group_tabs, "nav_current": is_current, "chart_js": CHART_JS, "role_labels": ROLE_LABELS,
                "account_name": config.app.account_name}

    @app.after_request
    def _headers(response):
        if _is_admin_request():
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            if request.endpoint != "admin.static":
                response.headers.setdefault("Cache-Control", "no-store")  # staff data, shared PCs
        return response
