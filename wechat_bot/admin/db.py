"""The request's database session for admin views, opened on first use and closed at the end.

A view commits once, when its change is whole; whatever it left uncommitted (a refused form, an
exception) is rolled back when the request ends (`Session.close`).
"""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy.orm import Session

from wechat_bot.runtime import current_runtime


def db() -> Session:
    if "admin_db" not in g:
        g.admin_db = current_runtime().sessions()
    return g.admin_db


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close(_exc) -> None:
        session = g.pop("admin_db", None)
        if session is not None:
            session.close()
