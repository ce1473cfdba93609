"""发布报名通知: an open event announced to its audience from the admin page in one step — a
broadcast in category 活动 (opted-out alumni left out), audited, refused twice within a day,
for admin/staff and the liaison of the event's own chapter."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from handlers.consent.categories import BY_KEY
from handlers.consent.preferences import ConsentChannel, set_opt_out
from models import AuditEntry, StaffRole
from models.event import EventNotice, EventStatus
from models.push import Delivery, Push
from tests.admin.support import add_account, add_alumnus, add_chapter, csrf_token, join, login
from tests.events.support import add_event

NOW = dt.datetime.now(dt.UTC)   # the page reads the real clock
PAGE = "/admin/password"         # any page with a form gives the CSRF token


@pytest.fixture
def admin_client(app, runtime):
    """A test client logged in as the admin `boss`."""
    add_account(runtime, "boss", StaffRole.ADMIN)
    client = app.test_client()
    assert login(client, "boss").status_code == 302
    return client


def announce(client, event_id: int, back: str = "/admin/broadcasts/"):
    token = csrf_token(client.get("/admin/password").text)
    return client.post(f"/admin/events/{event_id}/announce",
                       data={"csrf_token": token, "next": back})


def alumni(runtime) -> dict[str, int]:
    """Three bound alumni of 2012 (one opted out of 活动), one of 2015, one not bound."""
    with runtime.sessions.begin() as session:
        users = {name: add_alumnus(session, name, year=year, bound_at=NOW).wechat_user_id
                 for name, year in (("张伟", 2012), ("李娜", 2012), ("王芳", 2012), ("赵六", 2015))}
        add_alumnus(session, "孙七", year=2012)
        set_opt_out(session, users["王芳"], BY_KEY["events"], True, channel=ConsentChannel.BOT, now=NOW)
        return users


def add_open_event(runtime, **fields) -> int:
    with runtime.sessions.begin() as session:
        fields.setdefault("starts_in", dt.timedelta(days=10))
        return add_event(session, "2012 届十周年校友午餐沙龙", seats=30, now=NOW,
                         description="与老同学共进午餐，聊聊近况。", **fields).id


def pushes(runtime) -> list[Push]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Push).order_by(Push.id)))


def recipients(runtime, push_id: int) -> set[int]:
    with runtime.sessions() as session:
        return set(session.scalars(select(Delivery.wechat_user_id).where(Delivery.push_id == push_id)))


def test_announcing_sends_the_event_to_its_audience_leaving_out_who_opted_out(admin_client, runtime):
    users = alumni(runtime)
    event_id = add_open_event(runtime, audience="year:2012")
    answer = announce(admin_client, event_id)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/broadcasts/")
    [push] = pushes(runtime)
    assert recipients(runtime, push.id) == {users["张伟"], users["李娜"]}   # 王芳 opted out
    assert push.category == "events" and push.kind == "broadcast" and push.created_by == "admin:boss"
    assert push.text.startswith("【活动报名】2012 届十周年校友午餐沙龙")
    assert f"「报名 {event_id}」" in push.text and "名额：30 人" in push.text
    assert "与老同学共进午餐" in push.text
    with runtime.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "event_announced"))
        assert entry.actor == "boss" and f"活动 {event_id}" in entry.target
        assert f"推送 #{push.id}" in entry.detail and "2 人" in entry.detail
    page = admin_client.get("/admin/broadcasts/").text
    assert "已发布「2012 届十周年校友午餐沙龙」的报名通知：2 位校友将收到" in page


def test_a_second_announcement_within_a_day_is_refused_and_queues_nothing(admin_client, runtime):
    alumni(runtime)
    event_id = add_open_event(runtime, audience="bound")
    announce(admin_client, event_id)
    admin_client.get("/admin/broadcasts/")
    announce(admin_client, event_id)
    assert len(pushes(runtime)) == 1
    assert "24 小时内不再重复发布" in admin_client.get("/admin/broadcasts/").text
    with runtime.sessions.begin() as session:   # a day later it may go again
        notice = session.scalar(select(EventNotice).where(EventNotice.kind == "announce"))
        notice.queued_at = NOW - dt.timedelta(days=1, minutes=1)
    announce(admin_client, event_id)
    assert len(pushes(runtime)) == 2


def test_a_full_event_is_announced_with_its_waitlist(admin_client, runtime):
    alumni(runtime)
    event_id = add_open_event(runtime)
    with runtime.sessions.begin() as session:
        from models.event import Event
        session.get(Event, event_id).seats_taken = 30
    announce(admin_client, event_id)
    assert "（已满，报名将进入候补）" in pushes(runtime)[0].text


def test_only_an_open_event_that_has_not_started_is_announced(admin_client, runtime):
    alumni(runtime)
    draft = add_open_event(runtime, status=EventStatus.DRAFT)
    cancelled = add_open_event(runtime, status=EventStatus.CANCELLED)
    started = add_open_event(runtime, starts_in=-dt.timedelta(minutes=5))
    closed_signup = add_open_event(runtime, signup_closes_at=NOW - dt.timedelta(hours=1))
    for event_id, why in ((draft, "只有已开放报名的活动才能发布报名通知"),
                          (cancelled, "只有已开放报名的活动才能发布报名通知"),
                          (started, "活动已经开始，不再发布报名通知"),
                          (closed_signup, "报名已截止，不再发布报名通知")):
        announce(admin_client, event_id)
        assert why in admin_client.get("/admin/broadcasts/").text
    assert pushes(runtime) == []
    assert admin_client.post("/admin/events/999/announce",
                             data={"csrf_token": csrf_token(admin_client.get(PAGE).text)}
                             ).status_code == 404


def test_a_liaison_announces_their_chapters_events_only(app, runtime):
    with runtime.sessions.begin() as session:
        shanghai, beijing = add_chapter(session, "上海校友会"), add_chapter(session, "北京校友会")
        member = add_alumnus(session, "钱八", bound_at=NOW)
        join(session, shanghai, member)
        ids = (shanghai.id, beijing.id)
    own = add_open_event(runtime, audience="chapter:上海校友会", chapter_id=ids[0])
    other = add_open_event(runtime, audience="chapter:北京校友会", chapter_id=ids[1])
    school = add_open_event(runtime)
    add_account(runtime, "sh", StaffRole.LIAISON, chapter="上海校友会")
    client = app.test_client()
    login(client, "sh")
    token = csrf_token(client.get("/admin/password").text)
    assert client.post(f"/admin/events/{other}/announce", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/admin/events/{school}/announce", data={"csrf_token": token}).status_code == 404
    answer = client.post(f"/admin/events/{own}/announce", data={"csrf_token": token})
    assert answer.status_code == 302
    [push] = pushes(runtime)
    assert push.audience == "chapter:上海校友会" and push.recipient_count == 1


def test_a_college_account_may_not_announce_and_a_post_needs_its_token(app, admin_client, runtime):
    alumni(runtime)
    event_id = add_open_event(runtime)
    assert admin_client.post(f"/admin/events/{event_id}/announce").status_code == 400   # no CSRF
    add_account(runtime, "cs", StaffRole.COLLEGE, college="计算机学院")
    client = app.test_client()
    login(client, "cs")
    token = csrf_token(client.get("/admin/password").text)
    assert client.post(f"/admin/events/{event_id}/announce", data={"csrf_token": token}).status_code == 403
    assert pushes(runtime) == []


def test_two_staff_announcing_at_once_queue_one_push(app, runtime):
    import threading

    alumni(runtime)
    event_id = add_open_event(runtime, audience="bound")
    clients = []
    for name in ("wang", "li"):
        add_account(runtime, name, StaffRole.STAFF)
        client = app.test_client()
        login(client, name)
        clients.append((client, csrf_token(client.get(PAGE).text)))
    barrier, answers = threading.Barrier(2), []

    def press(client, token):
        barrier.wait()
        answers.append(client.post(f"/admin/events/{event_id}/announce",
                                   data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=press, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [302, 302]
    assert len(pushes(runtime)) == 1
    with runtime.sessions() as session:
        assert session.query(AuditEntry).filter_by(action="event_announced").count() == 1


def test_the_events_page_offers_the_announcement_and_comes_back_to_it(admin_client, runtime):
    alumni(runtime)
    event_id = add_open_event(runtime, audience="year:2012")
    page = admin_client.get(f"/admin/events/{event_id}").text
    form = page.split('id="announce-event"')[0].rsplit("<form", 1)[1]
    assert f'action="/admin/events/{event_id}/announce"' in form
    assert f'name="next" value="/admin/events/{event_id}"' in form
    answer = announce(admin_client, event_id, back=f"/admin/events/{event_id}")
    assert answer.headers["Location"].endswith(f"/admin/events/{event_id}")
    assert "的报名通知：2 位校友将收到" in admin_client.get(answer.headers["Location"]).text
