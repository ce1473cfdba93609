"""The admin side of check-in: the event's QR code made through the sandbox's WeChat API and shown
to print, and the staff scanner checking a registrant's own code in (forged and other events'
codes refused), through the admin door with CSRF."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from handlers.events.checkin import checkin_key, issue_code, read_code
from handlers.reunion.passes import pass_key
from models import AuditEntry, StaffRole
from models.event import Event, Registration, RegistrationStatus
from tests.admin.support import add_account, csrf_token, login
from tests.events.support import add_event, add_registration
from tests.events.test_checkin_bot import add_follower, today_event
from tests.sandbox.support import DEAD_URL, LiveServer
from wechat_bot.sandbox.api.media import find_qrcode

QR = "/admin/events/checkin-qr/"
SCAN = "/admin/events/scan/"


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def staff_client(app, runtime, role=StaffRole.STAFF):
    add_account(runtime, "door", role)
    client = app.test_client()
    assert login(client, "door").status_code == 302
    return client


def test_staff_make_the_events_qr_code_once_through_wechat_and_get_its_image(server):
    runtime = server.runtime
    with runtime.sessions.begin() as session:
        event_id = add_event(session, "企业家论坛", now=dt.datetime.now(dt.UTC)).id
    client = staff_client(server.app, runtime)
    page = client.get(QR).text
    assert "企业家论坛" in page and "生成签到二维码" in page
    made = client.post(f"{QR}{event_id}", data={"csrf_token": csrf_token(page)})
    assert made.status_code == 302 and made.headers["Location"].endswith(f"{QR}{event_id}")
    with runtime.sessions() as session:
        event = session.get(Event, event_id)
        ticket, url = event.qr_ticket, event.qr_url
    # WeChat (the sandbox) holds a permanent code whose scene is checkin:<id>.
    record = find_qrcode(server.sandbox, ticket)
    assert record["scene"] == f"checkin:{event_id}" and record["action_name"] == "QR_LIMIT_STR_SCENE"
    assert record["url"] == url and record["expires_at"] is None
    poster = client.get(f"{QR}{event_id}").text
    assert "企业家论坛（编号" in poster and "微信扫一扫，签到" in poster and f"{event_id}.png" in poster
    image = client.get(f"{QR}{event_id}.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    # Asking again makes no second code.
    client.post(f"{QR}{event_id}", data={"csrf_token": csrf_token(page)})
    with runtime.sessions() as session:
        assert session.get(Event, event_id).qr_ticket == ticket
        assert session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "event_qr")) \
            == f"checkin:{event_id}"


def test_when_wechat_is_unreachable_the_page_says_so_and_stores_nothing(make_app):
    app = make_app(wechat={"api_base_url": DEAD_URL})
    runtime = app.extensions["alumni_bot"]
    with runtime.sessions.begin() as session:
        event_id = add_event(session, now=dt.datetime.now(dt.UTC)).id
    client = staff_client(app, runtime)
    answer = client.post(f"{QR}{event_id}", data={"csrf_token": csrf_token(client.get(QR).text)},
                         follow_redirects=True)
    assert "生成签到二维码失败" in answer.text
    with runtime.sessions() as session:
        assert session.get(Event, event_id).qr_ticket is None


def registered_today(runtime, openid="o-door", **fields) -> tuple[int, str]:
    with runtime.sessions.begin() as session:
        user = add_follower(session, openid)
        registration = add_registration(session, today_event(session, **fields), user.id, guests=1)
        code = issue_code(checkin_key(pass_key(runtime.config.app.secret_key)), registration)
        return registration.event_id, code


def post_code(client, event_id, code: str):
    token = csrf_token(client.get(SCAN, query_string={"event": event_id}).text)
    return client.post(SCAN, data={"csrf_token": token, "event": event_id, "code": code},
                       headers={"Accept": "application/json"}).get_json()


def test_staff_check_a_registrant_in_by_their_code_once(app, runtime):
    event_id, code = registered_today(runtime)
    client = staff_client(app, runtime)
    first = post_code(client, event_id, code.lower())
    assert first["ok"] and first["headline"] == "签到成功" and first["name"] == "韩梅梅"
    assert first["party"] == 2 and "2012 届" in first["class_label"]
    second = post_code(client, event_id, code)
    assert second["ok"] and second["repeat"] and "已于" in second["detail"] and "door" in second["detail"]
    with runtime.sessions() as session:
        registration = session.scalar(select(Registration).where(Registration.event_id == event_id))
        assert registration.checked_in_by == "door"
        assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "event_checkin")).all()) == 2


def test_a_forged_code_and_another_events_code_are_refused(app, runtime):
    event_id, code = registered_today(runtime)
    other_id, other_code = registered_today(runtime, "o-other")
    client = staff_client(app, runtime)
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    refused = post_code(client, event_id, forged)
    assert not refused["ok"] and "签到码无效" in refused["detail"]
    elsewhere = post_code(client, event_id, other_code)
    assert not elsewhere["ok"] and f"另一场活动（编号 {other_id}）" in elsewhere["detail"]
    # A reunion pass or garbage is no check-in code either.
    assert not post_code(client, event_id, "RP1.1.20260504.D.AAAAAAAAAAAAAAAA")["ok"]
    with runtime.sessions() as session:
        assert session.scalars(select(Registration.checked_in_at)).all() == [None, None]


def test_a_code_of_a_registration_without_a_seat_is_refused_with_its_state(app, runtime):
    with runtime.sessions.begin() as session:
        user = add_follower(session, "o-wl")
        registration = add_registration(session, today_event(session), user.id,
                                        status=RegistrationStatus.WAITLISTED)
        event_id = registration.event_id
        code = issue_code(checkin_key(pass_key(runtime.config.app.secret_key)), registration)
    answer = post_code(staff_client(app, runtime), event_id, code)
    assert not answer["ok"] and "候补" in answer["detail"]


def test_the_page_without_script_answers_as_html(app, runtime):
    event_id, code = registered_today(runtime)
    client = staff_client(app, runtime)
    page = client.get(SCAN).text   # the only event today is chosen at once
    assert "活动签到" in page and f'name="event" type="hidden" value="{event_id}"' in page
    answer = client.post(SCAN, data={"csrf_token": csrf_token(page), "event": event_id, "code": code}).text
    assert "签到成功" in answer and "韩梅梅" in answer


def test_codes_read_back_and_only_with_the_right_key(runtime):
    key = checkin_key(pass_key(runtime.config.app.secret_key))
    other = checkin_key(pass_key("another-secret"))
    registration = Registration(id=7, event_id=3)
    code = issue_code(key, registration)
    assert code.startswith("EV1.7.3.")
    assert read_code(key, code).registration_id == 7 and read_code(key, f" {code.lower()} ").event_id == 3
    assert read_code(other, code) is None and read_code(key, "EV1.7.4." + code.rsplit(".", 1)[1]) is None

