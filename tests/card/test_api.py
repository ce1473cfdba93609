"""The card over HTTP: GET /me/card and its image for a bound alumnus, POST /cards/verify with a
site key (and nothing else), unbinding through the API voiding the code at once, the rate limit."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import segno
from PIL import Image
from sqlalchemy import select

from handlers.card.render import qr_place
from models import AuditEntry
from tests.api import LiveApi
from tests.card.support import add_site


@pytest.fixture
def live(config):
    server = LiveApi(config.replace(card={"verify_per_minute": 5}))
    yield server
    server.close()


def holder_token(live) -> str:
    from tests.reunion.support import add_classmate

    with live.runtime.sessions.begin() as session:
        add_classmate(session, None, "2016010101", "李雷", phone="13812345678",
                      email="lilei@example.com")
    return live.bound_token(live.person(), "李雷", "2016010101")


def check(live, code: str, key: str | None, **headers):
    if key is not None:
        headers["X-Site-Key"] = key
    return live.call("POST", "/cards/verify", json={"code": code}, headers=headers)


def test_a_bound_alumnus_gets_a_minute_code_a_site_verifies(live):
    token = holder_token(live)
    card = live.call("GET", "/me/card", token)
    assert card.status_code == 200, card.text
    body = card.json()
    assert (body["school"], body["name"]) == ("示例大学", "李雷")
    assert body["degrees"] == [{"degree": "本科", "graduation_year": 2016, "college": "计算机学院"}]
    expires, refresh = (dt.datetime.fromisoformat(body[k]) for k in ("expires_at", "refresh_at"))
    assert expires - refresh == dt.timedelta(minutes=1)
    assert "13812345678" not in card.text and "lilei@example.com" not in card.text

    answer = check(live, body["code"], add_site(live.runtime))
    assert answer.status_code == 200, answer.text
    verdict = answer.json()
    assert verdict["valid"] is True and verdict["reason"] == "valid"
    assert verdict["holder"]["name"] == "李雷" and verdict["site"] == "东门闸机"
    assert verdict["first_use"] is True
    assert "13812345678" not in answer.text and "lilei@example.com" not in answer.text
    assert "2016010101" not in answer.text
    again = check(live, body["code"], add_site(live.runtime, "图书馆", "library")).json()
    assert again["valid"] is True and again["first_use"] is True  # another site: its first sight


def test_a_second_check_at_the_same_site_is_valid_but_not_first_use(live):
    code = live.call("GET", "/me/card", holder_token(live)).json()["code"]
    key = add_site(live.runtime)
    assert check(live, code, key).json()["first_use"] is True
    second = check(live, code, key).json()
    assert second["valid"] is True and second["first_use"] is False


def test_unbinding_through_the_api_voids_the_code_at_once(live):
    token = holder_token(live)
    code = live.call("GET", "/me/card", token).json()["code"]
    key = add_site(live.runtime)
    assert live.call("DELETE", "/me/binding", token).status_code == 200
    verdict = check(live, code, key).json()
    assert (verdict["valid"], verdict["reason"], verdict["holder"]) == (False, "revoked", None)
    refused = live.call("GET", "/me/card", live.login(live.person("又一位")))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_bound"


def test_only_a_site_key_verifies_and_a_site_key_opens_nothing_else(live):
    token = holder_token(live)
    code = live.call("GET", "/me/card", token).json()["code"]
    key = add_site(live.runtime)
    no_key = check(live, code, None, Authorization=f"Bearer {token}")  # an alumnus's token
    assert no_key.status_code == 401 and no_key.json()["error"]["code"] == "site_key_missing"
    assert check(live, code, token).status_code == 401                 # the token as a site key
    assert check(live, code, key + "x").status_code == 401
    for path in ("/me", "/me/card", "/events"):
        assert live.call("GET", path, key).status_code == 401          # the site key as a token


def test_a_revoked_site_key_stops_at_once(live):
    from handlers.card.sites import revoke_site, site_for_key

    code = live.call("GET", "/me/card", holder_token(live)).json()["code"]
    key = add_site(live.runtime)
    assert check(live, code, key).status_code == 200
    with live.runtime.sessions.begin() as session:
        revoke_site(session, site_for_key(session, key), actor="boss", now=dt.datetime.now(dt.UTC))
    refused = check(live, code, key)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "site_key_invalid"


def test_a_site_checking_too_fast_is_told_to_wait(live):
    key = add_site(live.runtime)
    answers = [check(live, "AC1.1.1.AAAAAAAAAAAAAAAA", key) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert int(answers[-1].headers["Retry-After"]) >= 1


def test_every_check_goes_to_the_audit_log_valid_or_not(live):
    code = live.call("GET", "/me/card", holder_token(live)).json()["code"]
    key = add_site(live.runtime, "一食堂", "canteen")
    check(live, code, key)
    check(live, "not a card", key)
    with live.runtime.sessions() as session:
        rows = session.execute(select(AuditEntry.actor, AuditEntry.detail)
                               .where(AuditEntry.action == "card_verified")
                               .order_by(AuditEntry.id)).all()
    assert rows == [("核验点 一食堂", "有效 · 首次核验"), ("核验点 一食堂", "无法识别：这不是校友卡二维码。")]


def _card_and_image(live, token):
    """The JSON card and the image of the same minute (asked again if the minute turned)."""
    for _ in range(2):
        card = live.call("GET", "/me/card", token).json()
        image = live.call("GET", "/me/card/image", token)
        if dt.datetime.fromisoformat(image.headers["X-Card-Code-Expires"]) == \
                dt.datetime.fromisoformat(card["expires_at"]):
            return card["code"], image
    raise AssertionError("the minute turned twice in two requests")


def test_the_card_image_carries_this_minutes_code_as_a_qr(live):
    code, image = _card_and_image(live, holder_token(live))
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
    assert image.headers["Cache-Control"] == "no-store"
    picture = Image.open(io.BytesIO(image.content)).convert("L")
    assert picture.size == (1000, 630)
    # Read the QR's modules back from the pixels, as a scanner would: they are the code's.
    matrix = segno.make(code, error="m").matrix
    left, top, scale = qr_place(len(matrix))
    read = [[picture.getpixel((left + c * scale + scale // 2, top + r * scale + scale // 2)) < 128
             for c in range(len(matrix))] for r in range(len(matrix))]
    assert read == [[bool(v) for v in row] for row in matrix]


def test_the_card_image_is_limited_per_alumnus(live):
    token = holder_token(live)
    answers = [live.call("GET", "/me/card/image", token).status_code for _ in range(21)]
    assert answers == [200] * 20 + [429]
    assert live.call("GET", "/me/card", token).status_code == 200  # the code itself is not limited
