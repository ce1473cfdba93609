"""/reunions over HTTP: eligibility, dates, booking (201 and every refusal's status), my bookings,
joining with companions, cancelling (403 for another class or a classmate, 409 on the day)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import Alumnus
from models.push import Push
from tests.reunion.booking_support import VISIT, YEAR, local_today
from tests.reunion.support import add_booking, add_classmate


def seed(runtime) -> None:
    """Roster records (unbound: the tests bind over the API) of one class, another college, a
    class in no reunion year."""
    with runtime.sessions.begin() as session:
        add_classmate(session, None, "2012001", "王芳", year=YEAR)
        add_classmate(session, None, "2012002", "李雷", year=YEAR)
        add_classmate(session, None, "2012009", "外院", year=YEAR, college="数学学院")
        add_classmate(session, None, "2013001", "早届", year=YEAR + 3)


def token_of(live, name: str, student_id: str) -> str:
    return live.bound_token(live.person(name), name, student_id)


def test_eligibility_names_the_anniversary_and_lists_open_days(live):
    seed(live.runtime)
    token = token_of(live, "王芳", "2012001")
    body = live.call("GET", "/reunions/eligibility", token).json()
    assert (body["class_label"], body["eligible"], body["booking"]) == (f"{YEAR} 届计算机学院", True, None)
    assert {"year": VISIT.year, "anniversary": 10} in body["years"]
    day = next(d for d in body["days"] if d["date"] == f"{VISIT:%Y-%m-%d}")
    assert (day["weekday"], day["open"], day["people_left"], day["tour_left"]) == ("周六", True, 150, 8)
    assert [s["label"] for s in day["slots"]][:2] == ["09:00-10:00", "10:00-11:00"]
    assert {"name": "逸夫楼报告厅", "seats": 200} in day["venues_free"]
    assert "毕业 10 周年" in body["message"]
    early = live.call("GET", "/reunions/eligibility", token_of(live, "早届", "2013001")).json()
    assert early["eligible"] is False and early["next_anniversary"]["anniversary"] == 10
    assert early["days"] == []


def test_eligibility_and_booking_need_a_bound_alumnus(live):
    token = live.login(live.person())
    answer = live.call("GET", "/reunions/eligibility", token)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "not_bound"
    answer = live.call("POST", "/reunions/bookings", token, json={"date": f"{VISIT}", "people": 5})
    assert answer.status_code == 403


def test_dates_lists_each_day_with_what_is_left(live):
    token = live.login(live.person())
    answer = live.call("GET", "/reunions/dates", token, params={"from": f"{VISIT}", "to": f"{VISIT + dt.timedelta(days=1)}"})
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [(d["date"], d["weekday"]) for d in items] == [(f"{VISIT}", "周六"), (f"{VISIT + dt.timedelta(days=1)}", "周日")]
    assert items[0]["lunch_left"] == 400 and items[0]["lodging_unit"] == "间"
    bad = live.call("GET", "/reunions/dates", token, params={"from": f"{VISIT}", "to": f"{VISIT - dt.timedelta(days=1)}"})
    assert bad.status_code == 200 and bad.json()["items"] == []


def test_book_then_list_join_and_cancel(live):
    seed(live.runtime)
    wang, li, other = token_of(live, "王芳", "2012001"), token_of(live, "李雷", "2012002"), token_of(live, "外院", "2012009")
    made = live.call("POST", "/reunions/bookings", wang, json={
        "date": f"{VISIT}", "people": 12, "slot": "10:00",
        "needs": {"lodging": 2, "venue_size": 30, "tour": True, "lunch": True, "dinner": False, "note": "想见王老师"}})
    assert made.status_code == 201, made.text
    booking = made.json()
    assert (booking["slot"], booking["status"], booking["people"], booking["headcount"], booking["is_contact"]) == \
        ("10:00-11:00", "pending", 12, 1, True)
    assert booking["venue"] == {"name": "校友之家活动室", "seats": 40} and booking["lodging"] == 2
    number = booking["id"]

    again = live.call("POST", "/reunions/bookings", li, json={"date": f"{VISIT + dt.timedelta(days=1)}", "people": 3})
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate"
    assert f"编号 {number}" in again.json()["error"]["message"]

    joined = live.call("POST", f"/reunions/bookings/{number}/members", li, json={"companions": ["李娜", "张小明"]})
    assert joined.status_code == 201, joined.text
    assert joined.json()["booking"]["headcount"] == 4 and joined.json()["grew"] == 0
    twice = live.call("POST", f"/reunions/bookings/{number}/members", li, json={"companions": []})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_member"
    stranger = live.call("POST", f"/reunions/bookings/{number}/members", other, json={})
    assert stranger.status_code == 403 and stranger.json()["error"]["code"] == "other_class"
    assert live.call("POST", "/reunions/bookings/99999/members", li, json={}).status_code == 404

    mine = live.call("GET", "/reunions/bookings", li).json()["items"]
    assert [(b["id"], b["is_contact"], b["members"]) for b in mine] == [(number, False, 2)]

    assert live.call("DELETE", f"/reunions/bookings/{number}", other).status_code == 403
    not_contact = live.call("DELETE", f"/reunions/bookings/{number}", li)
    assert not_contact.status_code == 403 and not_contact.json()["error"]["code"] == "not_contact"
    gone = live.call("DELETE", f"/reunions/bookings/{number}", wang)
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled" and gone.json()["venue"] is None
    assert live.call("DELETE", f"/reunions/bookings/{number}", wang).status_code == 409
    with live.runtime.sessions() as session:
        texts = [p.text for p in session.scalars(select(Push).order_by(Push.id))]
    assert any("李雷加入了编号" in t for t in texts) and any("王芳取消了编号" in t for t in texts)


def test_each_refusal_has_its_status_and_reason(live):
    seed(live.runtime)
    wang = token_of(live, "王芳", "2012001")
    today = local_today()

    def refusal(body, token=wang):
        answer = live.call("POST", "/reunions/bookings", token, json=body)
        return answer.status_code, answer.json()["error"]["code"], answer.json()["error"]["message"]

    assert refusal({"date": f"{today - dt.timedelta(days=1)}", "people": 5})[:2] == (422, "past")
    status, code, message = refusal({"date": f"{today + dt.timedelta(days=2)}", "people": 5})
    assert (status, code) == (422, "too_late") and "最早可预约" in message
    assert refusal({"date": f"{VISIT - dt.timedelta(days=3)}", "people": 5})[:2] == (422, "closed")
    assert refusal({"date": f"{VISIT}", "people": 0})[0] == 422          # schema: people >= 1
    assert refusal({"date": f"{VISIT}", "people": 5, "extra": 1})[0] == 422
    status, code, message = refusal({"date": f"{VISIT}", "people": 600})
    assert (status, code) == (409, "full") and "还可接待 500 人" in message
    status, code, message = refusal({"date": f"{VISIT}", "people": 151, "slot": "09:00-10:00"})
    assert (status, code) == (409, "full") and "09:00-10:00 时段还可接待 150 人，您预约了 151 人" in message
    status, code, message = refusal({"date": f"{VISIT}", "people": 5, "slot": "08:00"})
    assert (status, code) == (422, "bad_slot") and "09:00-10:00" in message
    early = token_of(live, "早届", "2013001")
    status, code, message = refusal({"date": f"{VISIT}", "people": 5}, early)
    assert (status, code) == (403, "not_eligible") and "下一个秩年返校" in message
    status, code, message = refusal({"date": f"{VISIT}", "people": 5,
                                     "needs": {"venue_size": 500, "tour": True}})
    assert (status, code) == (409, "full") and "500 座以上的空闲场地" in message


def test_without_needs_the_defaults_are_booked_or_dropped(live):
    seed(live.runtime)
    with live.runtime.sessions.begin() as session:
        from handlers.reunion.calendar import materialize
        materialize(session, VISIT, live.runtime.config.features, dt.datetime.now(dt.UTC)).tour_capacity = 0
    made = live.call("POST", "/reunions/bookings", token_of(live, "王芳", "2012001"),
                     json={"date": f"{VISIT}", "people": 6})
    assert made.status_code == 201
    assert (made.json()["tour"], made.json()["lunch"], made.json()["dropped"]) == (False, True, ["tour"])


def test_cancel_on_the_day_is_409(live):
    seed(live.runtime)
    wang = token_of(live, "王芳", "2012001")
    with live.runtime.sessions.begin() as session:
        contact = session.scalar(select(Alumnus).where(Alumnus.student_id == "2012001"))
        number = add_booking(session, contact, day=local_today(), settings=live.runtime.config.features).id
    answer = live.call("DELETE", f"/reunions/bookings/{number}", wang)
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "too_late"
