"""Sessions still work for pages that use them, though requests without the cookie skip them."""

from flask import Flask, session

from wechat_bot.cookie_session import CookieSessions


def _app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "test"
    app.session_interface = CookieSessions()

    @app.post("/login")
    def login():
        session["staff"] = "张老师"
        return "ok"

    @app.get("/who")
    def who():
        return session.get("staff", "nobody")

    return app


def test_a_signed_session_cookie_is_read_back():
    client = _app().test_client()
    assert client.get("/who").text == "nobody"
    client.post("/login")
    assert client.get("/who").text == "张老师"


def test_a_forged_session_cookie_is_ignored():
    client = _app().test_client()
    client.set_cookie("session", "eyJzdGFmZiI6Ilx1NWYyMFx1ODAwMVx1NWUwOCJ9.forged.sig")
    assert client.get("/who").text == "nobody"
