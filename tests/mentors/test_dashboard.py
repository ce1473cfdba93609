"""Staff see the mentors' numbers on the dashboard: listed mentors, requests waiting, accepted this
month; accounts limited to a college or a chapter do not (the numbers are the whole school's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.mentors.contact import NO_CONTACT
from handlers.mentors.offers import save_mentor, set_mentor_status
from handlers.mentors.requests import answer_request, send_request
from handlers.settings import Settings
from models import MentorStatus, StaffRole, WechatUser
from tests.admin.support import add_account, login
from tests.reunion.support import add_classmate


def _tile(page: str, tile_id: str) -> int:
    return int(page.split(f'id="{tile_id}">')[1].split("<")[0].replace(",", ""))


def test_the_dashboard_counts_mentors_open_requests_and_acceptances_this_month(app, runtime):
    now = datetime.now(UTC)
    settings = Settings()
    with runtime.sessions.begin() as session:
        def person(n: int, **fields) -> WechatUser:
            record = add_classmate(session, f"o-d{n}", f"20100101{n:02d}", f"校友{n}", **fields)
            return session.get(WechatUser, record.wechat_user_id)

        def offer(user):
            return save_mentor(session, user, industry="互联网", city="上海", topics="求职",
                               contact=NO_CONTACT, monthly_cap=10, now=now, settings=settings.mentors)

        listed = [offer(person(n)) for n in range(3)]
        offer(person(3, privacy="hidden"))           # hidden: not counted as a mentor
        paused = person(4)
        offer(paused)
        set_mentor_status(session, paused, MentorStatus.PAUSED, now=now)
        mentees = [person(10 + n) for n in range(3)]
        mentor_users = [session.get(WechatUser, m.wechat_user_id) for m in listed]

        def ask(mentee, mentor, at):
            return send_request(session, mentee, mentor.id, "想请教", NO_CONTACT, now=at,
                                settings=settings, notify=None)

        ask(mentees[0], listed[0], now)                                    # open
        ask(mentees[1], listed[0], now)                                    # open
        accepted = ask(mentees[2], listed[1], now)
        answer_request(session, mentor_users[1], accepted.id, accept=True, now=now, notify=None)
        long_ago = now - timedelta(days=40)
        earlier = ask(mentees[0], listed[2], long_ago)
        answer_request(session, mentor_users[2], earlier.id, accept=True, now=long_ago, notify=None)

    add_account(runtime, "boss", StaffRole.ADMIN)
    add_account(runtime, "dean", StaffRole.COLLEGE, college="计算机学院")
    boss = app.test_client()
    assert login(boss, "boss").status_code == 302
    page = boss.get("/admin/").text
    assert "校友导师" in page
    assert _tile(page, "count-mentors") == 3
    assert _tile(page, "count-mentor-open") == 2
    assert _tile(page, "count-mentor-accepted") == 1

    dean = app.test_client()
    assert login(dean, "dean").status_code == 302
    assert 'id="count-mentors"' not in dean.get("/admin/").text
