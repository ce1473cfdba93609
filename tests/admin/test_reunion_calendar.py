"""返校日历 in the admin page: the month's days with booked / capacity, a day opened, closed or
changed (a default day materializes), and a quota, slot or venue never below what is booked: a
refused change says why and shows the form as it was typed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from handlers.reunion.calendar import day_view
from models import AuditEntry
from models.reunion import ReunionBooking, ReunionDay
from tests.admin.reunion_world import build, client_of, coming_saturday
from tests.admin.support import csrf_token


@pytest.fixture
def world(runtime):
    return build(runtime)


def _form(day_view_, **changes) -> dict:
    values = {"is_open": "y", "note": "", "people": 500, "lodging": 60, "tour": 8, "lunch": 400,
              "dinner": 300, "slots": "09:00-10:00 150\n10:00-11:00 150\n14:00-15:00 150\n15:00-16:00 150",
              "venues": "逸夫楼报告厅 200\n图书馆学术报告厅 120\n主楼会议室 60\n校友之家活动室 40"}
    values.update(changes)
    if values.get("is_open") is None:
        values.pop("is_open")
    return values


def _save(client, day: dt.date, **changes):
    path = f"/admin/reunion/calendar/{day.isoformat()}"
    token = csrf_token(client.get(path).text)
    return client.post(path, data={**_form(None, **changes), "csrf_token": token},
                       follow_redirects=True)


def test_the_month_shows_each_days_state_and_what_is_booked(app, runtime, world):
    clerk = client_of(app, "clerk")
    page = clerk.get(f"/admin/reunion/calendar/?month={world.day:%Y-%m}").text
    cell = page.split(f'data-day="{world.day.isoformat()}"')[1].split("</td>")[0]
    assert "已调整" in cell and "20 / 500" in cell          # the two classes booked it
    sunday = world.day + dt.timedelta(days=1)
    assert "默认开放" in page.split(f'data-day="{sunday.isoformat()}"')[1].split("</td>")[0]
    monday = world.day + dt.timedelta(days=2)
    if monday.month == world.day.month:
        assert "不开放" in page.split(f'data-day="{monday.isoformat()}"')[1].split("</td>")[0]
    assert f"{world.day.year}年{world.day.month}月" in page


def test_changing_a_default_day_materializes_it_with_the_new_quotas(app, runtime, world):
    day = coming_saturday(weeks=10)
    clerk = client_of(app, "clerk")
    response = _save(clerk, day, people=120, lodging=10, tour=2, lunch=100, dinner=0,
                     slots="09:00-10:00 60\n10:00-11:30 60", venues="主楼会议室 60",
                     note="校庆日，只接待上午")
    assert f"已保存 {day.isoformat()}" in response.text
    with runtime.sessions() as session:
        row = session.scalar(select(ReunionDay).where(ReunionDay.day == day))
        assert (row.people_capacity, row.lodging_capacity, row.tour_capacity, row.lunch_capacity,
                row.dinner_capacity) == (120, 10, 2, 100, 0)
        assert [(s.label, s.capacity) for s in row.slots] == [("09:00-10:00", 60), ("10:00-11:30", 60)]
        assert [(v.name, v.seats) for v in row.venues] == [("主楼会议室", 60)]
        assert row.note == "校庆日，只接待上午" and row.updated_by == "clerk"
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "reunion_day_changed"))
        assert entry.target == f"返校日 {day.isoformat()}" and "人数 500 → 120" in entry.detail
    month = clerk.get(f"/admin/reunion/calendar/?month={day:%Y-%m}").text
    assert "0 / 120" in month.split(f'data-day="{day.isoformat()}"')[1].split("</td>")[0]


def test_a_quota_below_what_is_booked_is_refused_and_the_form_kept(app, runtime, world):
    clerk = client_of(app, "clerk")
    response = _save(clerk, world.day, people=15, note="这段说明不会丢")
    assert response.status_code == 400
    assert "人数不能少于已预约的 20（填写的是 15）" in response.text
    assert 'value="这段说明不会丢"' in response.text and 'value="15"' in response.text
    with runtime.sessions() as session:
        view = day_view(session, world.day, runtime.config.features)
        assert view.people.capacity == 500 and view.note is None
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "reunion_day_changed")) is None


def test_a_slot_below_its_bookings_or_a_held_slot_removed_is_refused(app, runtime, world):
    clerk = client_of(app, "clerk")
    lower = _save(clerk, world.day, slots="09:00-10:00 10\n10:00-11:00 150")
    assert lower.status_code == 400 and "时段 09:00-10:00 的人数不能少于已预约的 20" in lower.text
    removed = _save(clerk, world.day, slots="10:00-11:00 150")
    assert removed.status_code == 400 and "时段 09:00-10:00 已有班级预约，不能删除" in removed.text
    bad = _save(clerk, world.day, slots="9点到10点")
    assert bad.status_code == 400 and "入校时段第 1 行「9点到10点」格式不对" in bad.text
    ok = _save(clerk, world.day, slots="09:00-10:00 20\n16:00-17:00 40", lunch=20)
    assert ok.status_code == 200 and "已保存" in ok.text
    with runtime.sessions() as session:
        view = day_view(session, world.day, runtime.config.features)
        assert [(s.label, s.capacity, s.booked) for s in view.slots] == [
            ("09:00-10:00", 20, 20), ("16:00-17:00", 40, 0)]
        assert view.lunch.capacity == 20


def test_a_venue_held_by_a_class_keeps_it_and_its_seats(app, runtime, world):
    with runtime.sessions.begin() as session:
        booking = session.get(ReunionBooking, world.cs)
        hall = next(v for v in booking.day.venues if v.name == "逸夫楼报告厅")
        hall.booking_id, booking.venue_size = booking.id, 150
    clerk = client_of(app, "clerk")
    removed = _save(clerk, world.day, venues="图书馆学术报告厅 120")
    assert removed.status_code == 400
    assert f"场地「逸夫楼报告厅」已分配给返校预约 {world.cs}，不能删除" in removed.text
    smaller = _save(clerk, world.day, venues="逸夫楼报告厅 100")
    assert smaller.status_code == 400 and "座位数不能少于 150" in smaller.text
    fine = _save(clerk, world.day, venues="逸夫楼报告厅 180\n新报告厅 80")
    assert fine.status_code == 200
    with runtime.sessions() as session:
        venues = day_view(session, world.day, runtime.config.features).venues
        assert sorted((v.name, v.seats, v.taken) for v in venues) == [
            ("新报告厅", 80, False), ("逸夫楼报告厅", 180, True)]


def test_close_and_open_a_day(app, runtime, world):
    clerk = client_of(app, "clerk")
    day = coming_saturday(weeks=12)
    path = f"/admin/reunion/calendar/{day.isoformat()}"
    token = csrf_token(clerk.get(path).text)
    closed = clerk.post(f"{path}/close", data={"csrf_token": token}, follow_redirects=True)
    assert f"{day.isoformat()} 已关闭" in closed.text and "开放这一天" in closed.text
    with runtime.sessions() as session:
        assert day_view(session, day, runtime.config.features).is_open is False
    month = clerk.get(f"/admin/reunion/calendar/?month={day:%Y-%m}").text
    assert "关闭" in month.split(f'data-day="{day.isoformat()}"')[1].split("</td>")[0]
    opened = clerk.post(f"{path}/open", data={"csrf_token": token}, follow_redirects=True)
    assert f"{day.isoformat()} 已开放" in opened.text
    with runtime.sessions() as session:
        assert day_view(session, day, runtime.config.features).is_open is True
        assert len(session.scalars(select(AuditEntry).where(
            AuditEntry.action == "reunion_day_changed")).all()) == 2


def test_only_admin_and_staff_change_the_calendar(app, runtime, world):
    dean = client_of(app, "dean")
    assert dean.get("/admin/reunion/calendar/").status_code == 403
    assert dean.get(f"/admin/reunion/calendar/{world.day.isoformat()}").status_code == 403
    boss = client_of(app, "boss")
    assert boss.get("/admin/reunion/calendar/").status_code == 200
    assert boss.get("/admin/reunion/calendar/not-a-day").status_code == 404
