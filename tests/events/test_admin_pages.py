"""校友活动 in the admin page: creating and editing an event (every field checked, nothing typed
lost, seats never below those taken), opening, closing and cancelling (every registrant and each
one waiting told, seats released), the waitlist moved and promoted by hand (the reason audited,
the seat taken through the guarded counter), a liaison kept to their chapter's events, and the
exports (CSV with a BOM, XLSX)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditEntry, Delivery, Push, StaffRole
from models.event import Event, EventStatus, Registration, RegistrationStatus
from tests.admin.support import add_account, add_alumnus, add_chapter, csrf_token, login
from tests.events.support import add_event, add_registration

R = RegistrationStatus


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)   # the admin page reads the real clock


def client_of(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


@pytest.fixture
def world(runtime):
    """An association event with three confirmed, two waiting; a 上海校友会 event; accounts."""
    now = _now()
    with runtime.sessions.begin() as session:
        shanghai = add_chapter(session, "上海校友会")
        beijing = add_chapter(session, "北京校友会")
        people = [add_alumnus(session, name, bound_at=now, year=2010 + i)
                  for i, name in enumerate(["王磊", "李娜", "赵敏", "孙悦", "周强", "吴昊"])]
        event = add_event(session, "校园马拉松", seats=3, now=now, kind="校园马拉松")
        regs = [add_registration(session, event, p.wechat_user_id, now=now, alumnus_id=p.id)
                for p in people[:3]]
        waiting = [add_registration(session, event, p.wechat_user_id, now=now, alumnus_id=p.id,
                                    status=R.WAITLISTED) for p in people[3:5]]
        regs[0].answers = {"shirt_size": "L"}
        ours = add_event(session, "上海校友午餐", now=now, chapter_id=shanghai.id,
                         audience="chapter:上海校友会")
        theirs = add_event(session, "北京校友午餐", now=now, chapter_id=beijing.id,
                           audience="chapter:北京校友会")
        ids = dict(event=event.id, ours=ours.id, theirs=theirs.id,
                   users=[p.wechat_user_id for p in people[:5]],
                   waiting=[w.id for w in waiting], shanghai=shanghai.id)
    add_account(runtime, "boss", StaffRole.ADMIN)
    add_account(runtime, "sh", StaffRole.LIAISON, chapter="上海校友会")
    add_account(runtime, "dean", StaffRole.COLLEGE, college="计算机学院")
    return ids


def _post(client, page: str, action: str, data: dict | None = None):
    token = csrf_token(client.get(page).text)
    return client.post(action, data={**(data or {}), "csrf_token": token})


def _event(runtime, event_id: int) -> Event:
    with runtime.sessions() as session:
        event = session.get(Event, event_id)
        session.expunge(event)
        return event


def _audit(runtime, action: str) -> list[AuditEntry]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _form(**overrides) -> dict:
    start = (_now() + dt.timedelta(days=10)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    data = {"title": "企业家论坛 2026", "kind": "企业家论坛", "kind_other": "",
            "description": "与校友企业家面对面", "picture_url": "https://example.com/a.jpg",
            "starts_at": start.strftime("%Y-%m-%dT14:00"), "ends_at": start.strftime("%Y-%m-%dT17:00"),
            "place": "逸夫楼报告厅", "latitude": "31.2304", "longitude": "121.4737", "seats": "80",
            "signup_opens_at": "", "signup_closes_at": start.strftime("%Y-%m-%dT12:00"),
            "audience_kind": "year", "audience_chapter": "", "audience_years": "2010-2015",
            "audience_college": "", "max_guests": "1", "ask_shirt_size": "y",
            "questions": "饮食禁忌\n是否需要停车位"}
    data.update(overrides)
    return data


# --- create and edit ---------------------------------------------------------------------------

def test_staff_create_an_event_as_a_draft_in_beijing_time_with_every_field(app, runtime, world):
    boss = client_of(app, "boss")
    response = _post(boss, "/admin/events/new", "/admin/events/new", _form())
    assert response.status_code == 302
    with runtime.sessions() as session:
        event = session.scalar(select(Event).where(Event.title == "企业家论坛 2026"))
        assert event.status is EventStatus.DRAFT and event.seats == 80 and event.seats_taken == 0
        assert event.starts_at.astimezone(dt.UTC).hour == 6          # 14:00 北京时间
        assert event.audience == "year:2010-2015" and event.chapter_id is None
        assert (event.latitude, event.longitude) == (31.2304, 121.4737)
        assert event.questions == ["饮食禁忌", "是否需要停车位"] and event.ask_shirt_size
        assert event.max_guests == 1 and event.created_by == "boss"
    assert _audit(runtime, "event_created")


def test_a_wrong_form_names_every_error_in_chinese_and_keeps_what_was_typed(app, runtime, world):
    boss = client_of(app, "boss")
    bad = _form(ends_at=_form()["starts_at"].replace("T14:00", "T13:00"), latitude="31.2",
                longitude="", audience_years="2015-2010", picture_url="ftp://x", kind="其他",
                kind_other="")
    response = _post(boss, "/admin/events/new", "/admin/events/new", bad)
    page = response.text
    assert response.status_code == 400
    for message in ("结束时间必须晚于开始时间", "经纬度要么都填", "届别的格式", "图片链接须以",
                    "请选择活动类型"):
        assert message in page
    assert "与校友企业家面对面" in page and "饮食禁忌" in page and "逸夫楼报告厅" in page
    with runtime.sessions() as session:
        assert session.scalar(select(Event).where(Event.title == "企业家论坛 2026")) is None


def test_seats_lowered_below_those_taken_are_refused_with_the_number(app, runtime, world):
    boss = client_of(app, "boss")
    page = f"/admin/events/{world['event']}/edit"
    form = boss.get(page).text
    assert "校园马拉松" in form
    response = _post(boss, page, page, _form(title="校园马拉松", seats="2", audience_kind="bound"))
    assert response.status_code == 400
    assert "已有 3 个名额被占用" in response.text and "校园马拉松" in response.text
    assert _event(runtime, world["event"]).seats == 3
    response = _post(boss, page, page, _form(title="校园马拉松", seats="5", audience_kind="bound"))
    assert response.status_code == 302
    event = _event(runtime, world["event"])
    assert event.seats == 5 and event.seats_taken == 3 and event.audience == "bound"


# --- lifecycle ---------------------------------------------------------------------------------

def test_a_draft_opens_closes_and_opens_again_and_a_second_open_is_refused(app, runtime, world):
    with runtime.sessions.begin() as session:
        draft = add_event(session, "草稿活动", now=_now(), status=EventStatus.DRAFT).id
    boss = client_of(app, "boss")
    page = f"/admin/events/{draft}"
    assert _post(boss, page, f"{page}/open").status_code == 302
    assert _event(runtime, draft).status is EventStatus.OPEN
    assert _post(boss, page, f"{page}/open").status_code == 302      # pressed twice
    assert "当前状态为「报名中」，不能开放报名" in boss.get(page).text
    assert _post(boss, page, f"{page}/close").status_code == 302
    assert _event(runtime, draft).status is EventStatus.CLOSED
    assert _post(boss, page, f"{page}/open").status_code == 302
    assert _event(runtime, draft).status is EventStatus.OPEN
    assert [a.action for a in _audit(runtime, "event_opened")] == ["event_opened"] * 2


def test_cancelling_tells_every_registrant_and_everyone_waiting_and_frees_the_seats(app, runtime, world):
    boss = client_of(app, "boss")
    page = f"/admin/events/{world['event']}"
    empty = _post(boss, page, f"{page}/cancel", {"reason": "  "})
    assert empty.status_code == 400 and "请填写这一项" in empty.text
    assert _post(boss, page, f"{page}/cancel", {"reason": "台风预警"}).status_code == 302
    event = _event(runtime, world["event"])
    assert event.status is EventStatus.CANCELLED and event.seats_taken == 0
    assert event.cancel_reason == "台风预警"
    with runtime.sessions() as session:
        statuses = set(session.scalars(select(Registration.status)
                                       .where(Registration.event_id == event.id)))
        assert statuses == {R.CANCELLED}
        push = session.scalar(select(Push).where(Push.created_by == "events:cancelled"))
        assert "台风预警" in push.text and push.category is None
        told = sorted(session.scalars(select(Delivery.wechat_user_id).where(Delivery.push_id == push.id)))
    assert told == sorted(world["users"])
    assert _audit(runtime, "event_cancelled")[0].detail == "台风预警"


# --- the waitlist by hand ----------------------------------------------------------------------

def test_reordering_the_waitlist_is_audited_with_its_reason(app, runtime, world):
    boss = client_of(app, "boss")
    page = f"/admin/events/{world['event']}"
    second = world["waiting"][1]
    no_reason = _post(boss, page, f"{page}/registrations/{second}/reorder", {"place": "1", "note": ""})
    assert no_reason.status_code == 302
    assert _post(boss, page, f"{page}/registrations/{second}/reorder",
                 {"place": "1", "note": "志愿者优先"}).status_code == 302
    with runtime.sessions() as session:
        line = list(session.scalars(select(Registration.id).where(
            Registration.event_id == world["event"], Registration.status == R.WAITLISTED)
            .order_by(Registration.position)))
    assert line == [second, world["waiting"][0]]
    entries = _audit(runtime, "event_reordered")
    assert len(entries) == 1 and "志愿者优先" in entries[0].detail


def test_promoting_takes_a_seat_through_the_counter_and_is_refused_when_full(app, runtime, world):
    boss = client_of(app, "boss")
    page = f"/admin/events/{world['event']}"
    first = world["waiting"][0]
    _post(boss, page, f"{page}/registrations/{first}/promote", {"note": "嘉宾"})
    assert "名额已满（3/3）" in boss.get(page).text
    assert _audit(runtime, "event_promoted") == []
    with runtime.sessions.begin() as session:
        session.get(Event, world["event"]).seats = 4
    assert _post(boss, page, f"{page}/registrations/{first}/promote",
                 {"note": "嘉宾"}).status_code == 302
    event = _event(runtime, world["event"])
    assert event.seats_taken == 4
    with runtime.sessions() as session:
        assert session.get(Registration, first).status is R.CONFIRMED
        push = session.scalar(select(Push).where(Push.created_by == "events:promoted"))
        assert push is not None and push.category is None
    assert "嘉宾" in _audit(runtime, "event_promoted")[0].detail


# --- who sees what -----------------------------------------------------------------------------

def test_a_liaison_sees_and_creates_only_their_chapters_events(app, runtime, world):
    sh = client_of(app, "sh")
    listing = sh.get("/admin/events/").text
    assert f'data-event="{world["ours"]}"' in listing
    assert f'data-event="{world["theirs"]}"' not in listing and f'data-event="{world["event"]}"' not in listing
    for path in (f"/admin/events/{world['theirs']}", f"/admin/events/{world['theirs']}/edit",
                 f"/admin/events/{world['theirs']}/export.csv"):
        assert sh.get(path).status_code == 404
    ours = f"/admin/events/{world['ours']}"
    token = csrf_token(sh.get(ours).text)
    assert sh.post(f"/admin/events/{world['theirs']}/cancel",
                   data={"reason": "x", "csrf_token": token}).status_code == 404
    assert _event(runtime, world["theirs"]).status is EventStatus.OPEN
    # Whatever the form says, a liaison's event is their chapter's, for its members.
    assert _post(sh, "/admin/events/new", "/admin/events/new",
                 _form(title="上海读书会", audience_kind="all")).status_code == 302
    with runtime.sessions() as session:
        made = session.scalar(select(Event).where(Event.title == "上海读书会"))
        assert made.chapter_id == world["shanghai"] and made.audience == "chapter:上海校友会"
    assert client_of(app, "dean").get("/admin/events/").status_code == 403


def test_the_dashboard_counts_upcoming_events_in_the_viewers_scope(app, runtime, world):
    def tile(user):
        page = client_of(app, user).get("/admin/").text
        return int(page.split('id="count-events">')[1].split("<")[0]) if 'id="count-events"' in page else None

    assert tile("boss") == 3 and tile("sh") == 1 and tile("dean") is None


# --- exports -----------------------------------------------------------------------------------

def test_the_csv_export_carries_a_bom_and_every_registrant(app, runtime, world):
    boss = client_of(app, "boss")
    with runtime.sessions.begin() as session:
        event = session.get(Event, world["event"])
        event.ask_shirt_size = True
    response = boss.get(f"/admin/events/{world['event']}/export.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["姓名", "学号", "学院", "届别", "状态"] and rows[0][-1] == "T恤尺码"
    assert [r[0] for r in rows[1:]] == ["王磊", "李娜", "赵敏", "孙悦", "周强"]
    assert rows[1][-1] == "L" and rows[4][4] == "候补中" and rows[4][5] == "1"
    assert _audit(runtime, "event_exported")


def test_the_xlsx_export_opens_in_openpyxl_with_the_chinese_intact(app, runtime, world):
    boss = client_of(app, "boss")
    response = boss.get(f"/admin/events/{world['event']}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "姓名" and sheet.title == "报名与签到"
    assert [v[0] for v in values[1:]] == ["王磊", "李娜", "赵敏", "孙悦", "周强"]


def test_the_event_page_counts_attendance_among_the_confirmed(app, runtime, world):
    with runtime.sessions.begin() as session:
        first = session.scalar(select(Registration).where(Registration.event_id == world["event"],
                                                          Registration.status == R.CONFIRMED))
        first.checked_in_at, first.checked_in_by = _now(), "scan"
    page = client_of(app, "boss").get(f"/admin/events/{world['event']}").text
    assert 'id="attendance">已签到 1 / 3' in page
    rows = list(csv.reader(io.StringIO(client_of(app, "boss").get(
        f"/admin/events/{world['event']}/export.csv").data.decode("utf-8-sig"))))
    assert rows[1][9] == "扫码" and rows[1][8]


def test_the_event_page_shows_every_group_and_carries_the_chart_without_inline_script(app, runtime, world):
    page = client_of(app, "boss").get(f"/admin/events/{world['event']}").text
    for section in ('id="confirmed"', 'id="waitlist"', 'id="offered"', 'id="cancelled"',
                    'id="chart-signups"', 'id="chart-data"', "events.js", "chart-4.6.2"):
        assert section in page
    assert "<script>" not in page
