"""GET /api/v1/reunions/bookings/{id}/pass over HTTP: the own membership's minute code; another
class's booking refused; no code before the day; a cancelled booking refused with the reason."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from handlers.reunion.passes import Kind, pass_key, read_code
from models import Alumnus
from models.reunion import BookingStatus, ReunionBooking
from tests.api import LiveApi
from tests.reunion.support import add_booking, add_classmate

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def live(config):
    server = LiveApi(config)
    yield server
    server.close()


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def signed_in_member(live, day: dt.date, status=BookingStatus.APPROVED) -> tuple[str, int]:
    """A classmate bound through the API, on a booking of their class on `day`: (token, booking id)."""
    with live.runtime.sessions.begin() as session:
        add_classmate(session, None, "2016010101", "李雷", year=day.year - 10)
    token = live.bound_token(live.person(), "李雷", "2016010101")
    with live.runtime.sessions.begin() as session:
        contact = session.scalars(select(Alumnus).where(Alumnus.student_id == "2016010101")).one()
        return token, add_booking(session, contact, day=day, status=status).id


def test_on_the_visit_day_the_api_gives_a_minute_code_the_scanner_reads(live):
    token, booking_id = signed_in_member(live, today())
    answer = live.call("GET", f"/reunions/bookings/{booking_id}/pass", token)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["admitted"] is True and body["day"] == f"{today():%Y-%m-%d}"
    expires = dt.datetime.fromisoformat(body["expires_at"])
    refresh = dt.datetime.fromisoformat(body["refresh_at"])
    assert expires - refresh == dt.timedelta(minutes=1)
    claim = read_code(pass_key(live.runtime.config.app.secret_key), body["code"],
                      dt.datetime.now(dt.UTC), today())
    assert (claim.member_id, claim.kind) == (body["member_id"], Kind.MINUTE)


def test_another_classes_booking_is_not_found(live):
    token, _ = signed_in_member(live, today())
    with live.runtime.sessions.begin() as session:
        stranger = add_classmate(session, "o-other-class", "2016020101", "王芳", college="经济学院")
        other = add_booking(session, stranger, day=today())
        other_id = other.id
    answer = live.call("GET", f"/reunions/bookings/{other_id}/pass", token)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert live.call("GET", f"/reunions/bookings/{other_id}/pass").status_code == 401


def test_before_the_day_there_is_no_code_only_when_it_comes(live):
    day = today() + dt.timedelta(days=12)
    token, booking_id = signed_in_member(live, day, status=BookingStatus.PENDING)
    body = live.call("GET", f"/reunions/bookings/{booking_id}/pass", token).json()
    assert body["code"] is None and body["admitted"] is False
    assert f"{day:%Y-%m-%d}" in body["message"]


def test_a_cancelled_booking_has_no_pass(live):
    token, booking_id = signed_in_member(live, today())
    with live.runtime.sessions.begin() as session:
        booking = session.get(ReunionBooking, booking_id)
        booking.status, booking.class_key = BookingStatus.CANCELLED, None
    answer = live.call("GET", f"/reunions/bookings/{booking_id}/pass", token)
    assert answer.status_code == 409
    assert "已取消" in answer.json()["error"]["message"]
