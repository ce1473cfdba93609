"""The scanner page (/admin/reunion/scan) and the day's live page, through the admin door with CSRF."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from handlers.reunion.passes import issue_day_code, issue_minute_code, pass_key
from models import AuditEntry, StaffRole
from models.reunion import BookingStatus
from tests.admin.support import add_account, add_chapter, csrf_token, login
from tests.reunion.support import add_booking, add_classmate

ZONE = ZoneInfo("Asia/Shanghai")
SCAN = "/admin/reunion/scan/"


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def booked_today(runtime, **fields) -> tuple[int, int]:
    with runtime.sessions.begin() as session:
        contact = add_classmate(session, "o-scan-1", "2016010101", "李雷", year=today().year - 10)
        booking = add_booking(session, contact, day=today(), status=BookingStatus.APPROVED, **fields)
        return booking.id, booking.members[0].id


def post_code(client, code: str, station: str, json: bool = True):
    token = csrf_token(client.get(SCAN, query_string={"station": station}).text)
    headers = {"Accept": "application/json"} if json else {}
    return client.post(SCAN, data={"csrf_token": token, "station": station, "code": code}, headers=headers)


def test_the_gate_admits_once_and_the_live_page_counts_it(admin_client, runtime):
    booking_id, member_id = booked_today(runtime)
    code = issue_minute_code(pass_key(runtime.config.app.secret_key), member_id, today(),
                             dt.datetime.now(dt.UTC)).code
    first = post_code(admin_client, code, "gate").get_json()
    assert first["ok"] and first["recorded"] == "arrival" and first["name"] == "李雷"
    second = post_code(admin_client, code, "gate").get_json()
    assert second["ok"] and second["repeat"] and second["headline"].startswith("已于 ")
    live = admin_client.get("/admin/reunion/scan/live.json").get_json()
    assert live["totals"]["arrived"] == 1 and live["rows"][0]["booking_id"] == booking_id
    page = admin_client.get("/admin/reunion/scan/live").text
    assert "当日到场" in page and "计算机学院" in page and 'id="t-arrived">1<' in page
    with runtime.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "reunion_scan")).all()
        assert len(entries) == 2 and "李雷" in entries[0].target


def test_lunch_is_served_once_and_the_second_is_refused_with_the_time(admin_client, runtime):
    _, member_id = booked_today(runtime)
    code = issue_day_code(pass_key(runtime.config.app.secret_key), member_id, today(), ZONE).code
    assert post_code(admin_client, code, "lunch").get_json()["recorded"] == "lunch"
    again = post_code(admin_client, code, "lunch").get_json()
    assert not again["ok"] and again["detail"].endswith("用过午餐")
    assert admin_client.get("/admin/reunion/scan/live.json").get_json()["totals"]["lunch_served"] == 1


def test_without_the_script_the_page_answers_in_big_red(admin_client, runtime):
    answer = post_code(admin_client, "RP1.1.20260411.D.AAAAAAAAAAAAAAAA", "gate", json=False)
    assert answer.status_code == 200
    assert 'class="result refused"' in answer.text and "无法识别的返校码" in answer.text


def test_a_post_without_the_csrf_token_is_refused(admin_client, runtime):
    answer = admin_client.post(SCAN, data={"station": "gate", "code": "x"})
    assert answer.status_code == 400


def test_the_scanner_page_is_phone_friendly_and_loads_only_our_scripts(admin_client):
    page = admin_client.get(SCAN).text
    assert 'name="viewport"' in page and "jsqr-1.4.0.js" in page and "<script>" not in page
    assert admin_client.get("/admin/static/vendor/jsqr-1.4.0.js").status_code == 200


def test_college_accounts_scan_and_liaisons_may_not(app, runtime):
    booked_today(runtime)  # the roster then has 计算机学院
    add_account(runtime, "coord", StaffRole.COLLEGE, college="计算机学院")
    client = app.test_client()
    login(client, "coord")
    assert client.get(SCAN).status_code == 200
    assert "返校扫码" in client.get(SCAN).text.split('aria-label="秩年返校"')[1].split("</nav>")[0]
    with runtime.sessions.begin() as session:
        add_chapter(session)
    add_account(runtime, "liaison", StaffRole.LIAISON, chapter="上海校友会")
    other = app.test_client()
    login(other, "liaison")
    assert other.get(SCAN).status_code == 403


def test_a_college_coordinator_sees_only_their_colleges_classes_live(app, runtime):
    booked_today(runtime)
    with runtime.sessions.begin() as session:
        other = add_classmate(session, "o-scan-econ", "2016020101", "王芳", college="经济学院",
                              year=today().year - 10)
        add_booking(session, other, day=today(), status=BookingStatus.APPROVED)
    add_account(runtime, "econ", StaffRole.COLLEGE, college="经济学院")
    client = app.test_client()
    login(client, "econ")
    rows = client.get("/admin/reunion/scan/live.json").get_json()["rows"]
    assert [r["class_label"] for r in rows] == [f"经济学院 {today().year - 10} 届（10 周年）"]
