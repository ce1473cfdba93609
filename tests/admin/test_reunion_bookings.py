"""返校预约 and 学院协调 in the admin page: who sees which bookings, the college's programme, staff's
approval and decline (every place released, the class free to book again), the day's outcome and
the class photo; each change audited and told to the contact and every joined classmate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.reunion.calendar import day_view
from models import Alumnus, AuditEntry, Delivery, Push
from models.reunion import BookingStatus, ReunionBooking, ReunionVenue
from tests.admin.reunion_world import build, client_of
from tests.admin.support import csrf_token
from tests.reunion.support import add_booking, add_classmate


@pytest.fixture
def world(runtime):
    return build(runtime)


def _post(client, page: str, action: str, data: dict | None = None, *, follow: bool = True):
    token = csrf_token(client.get(page).text)
    return client.post(action, data={**(data or {}), "csrf_token": token}, follow_redirects=follow)


def _booking(runtime, booking_id) -> ReunionBooking:
    with runtime.sessions() as session:
        booking = session.get(ReunionBooking, booking_id)
        session.expunge(booking)
        return booking


def _pushes(runtime, event: str) -> list[tuple[Push, list[int]]]:
    with runtime.sessions() as session:
        pushes = session.scalars(select(Push).where(Push.created_by == f"reunion:{event}")).all()
        return [(p, sorted(session.scalars(select(Delivery.wechat_user_id)
                                           .where(Delivery.push_id == p.id)))) for p in pushes]


def _audit(runtime, action: str) -> list[AuditEntry]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- who sees what -----------------------------------------------------------------------------

def test_staff_see_every_college_and_a_college_only_its_own(app, runtime, world):
    staff = client_of(app, "clerk").get("/admin/reunion/bookings/").text
    assert f'data-booking="{world.cs}"' in staff and f'data-booking="{world.chem}"' in staff
    dean = client_of(app, "dean")
    listing = dean.get("/admin/reunion/bookings/").text
    assert f'data-booking="{world.cs}"' in listing and f'data-booking="{world.chem}"' not in listing
    assert dean.get(f"/admin/reunion/bookings/{world.chem}").status_code == 404
    assert dean.get(f"/admin/reunion/bookings/{world.cs}").status_code == 200


def test_the_dashboard_counts_bookings_waiting_for_a_decision_in_the_viewers_scope(app, runtime, world):
    def tile(user):
        page = client_of(app, user).get("/admin/").text
        if 'id="count-bookings"' not in page:
            return None
        return int(page.split('id="count-bookings">')[1].split("<")[0])

    with runtime.sessions() as session:
        waiting = session.scalars(select(ReunionBooking).where(ReunionBooking.status.in_(
            (BookingStatus.PENDING, BookingStatus.CONFIRMED)))).all()
        of_cs = [b for b in waiting if b.college == "计算机学院"]
    assert tile("clerk") == len(waiting) >= 2
    assert tile("dean") == len(of_cs) >= 1 and len(of_cs) < len(waiting)
    assert tile("sh") is None   # a chapter's liaison has no part in reunions
    assert 'href="/admin/reunion/bookings/?status=waiting"' in client_of(app, "clerk").get("/admin/").text


def test_a_college_coordinator_cannot_touch_another_colleges_booking(app, runtime, world):
    chemdean = client_of(app, "chemdean")
    page = "/admin/reunion/college/"
    response = _post(chemdean, page, f"/admin/reunion/bookings/{world.cs}/programme",
                     {"programme": "实验室参观"}, follow=False)
    assert response.status_code == 404
    for action in ("approve", "visited"):
        assert _post(chemdean, page, f"/admin/reunion/bookings/{world.chem}/{action}",
                     follow=False).status_code == 403
    assert _booking(runtime, world.cs).status is BookingStatus.PENDING
    assert _pushes(runtime, "programme") == []


def test_a_liaison_sees_no_reunion_page(app, runtime, world):
    liaison = client_of(app, "sh")
    for path in ("/admin/reunion/bookings/", f"/admin/reunion/bookings/{world.cs}",
                 "/admin/reunion/college/", "/admin/reunion/calendar/", "/admin/reunion/dayplan/",
                 "/admin/reunion/feedback/"):
        assert liaison.get(path).status_code == 403, path
    assert "返校" not in liaison.get("/admin/").text.split("</nav>")[0]


def test_the_menu_offers_each_role_its_reunion_pages(app, runtime, world):
    def menu(user):
        return client_of(app, user).get("/admin/").text.split('aria-label="主菜单"')[1].split("</nav>")[0]

    def tabs(user):
        page = client_of(app, user).get("/admin/reunion/bookings/").text
        return page.split('aria-label="秩年返校"')[1].split("</nav>")[0]

    # one entry in the top menu, the feature's pages as tabs on each of them
    staff_menu, dean_menu = menu("clerk"), menu("dean")
    assert staff_menu.count("秩年返校") == 1 and "返校日历" not in staff_menu
    assert "秩年返校" in dean_menu
    staff, dean = tabs("clerk"), tabs("dean")
    for title in ("返校日历", "返校预约", "当日安排", "返校反馈"):
        assert title in staff
    assert "学院协调" not in staff
    assert "学院协调" in dean and "返校预约" in dean and "返校日历" not in dean


# --- the lifecycle -----------------------------------------------------------------------------

def test_the_college_confirms_its_programme_and_the_class_is_told(app, runtime, world):
    dean = client_of(app, "dean")
    page = dean.get("/admin/reunion/college/").text
    assert "王磊" in page and "孙悦" not in page
    response = _post(dean, "/admin/reunion/college/", f"/admin/reunion/bookings/{world.cs}/programme",
                     {"programme": "与在校生座谈，实验室参观，名师重上一堂课", "back": "college"})
    assert response.request.path == "/admin/reunion/college/"
    assert f"已确认返校预约 {world.cs} 的学院安排" in response.text
    booking = _booking(runtime, world.cs)
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.programme == "与在校生座谈，实验室参观，名师重上一堂课"
    assert booking.programme_by == "dean" and booking.programme_at is not None
    [(push, users)] = _pushes(runtime, "programme")
    assert users == sorted(world.users) and push.category is None
    assert "实验室参观" in push.text and "等待学校审批" in push.text
    [entry] = _audit(runtime, "reunion_programme")
    assert entry.actor == "dean" and entry.target == f"返校预约 #{world.cs}"


def test_staff_approve_and_a_second_approval_is_refused(app, runtime, world):
    clerk = client_of(app, "clerk")
    page = f"/admin/reunion/bookings/{world.cs}"
    response = _post(clerk, page, f"{page}/approve")
    assert f"已批准返校预约 {world.cs}" in response.text
    assert '<span id="booking-status">已批准</span>' in response.text
    booking = _booking(runtime, world.cs)
    assert booking.status is BookingStatus.APPROVED and booking.decided_by == "clerk"
    [(push, users)] = _pushes(runtime, "approved")
    assert users == sorted(world.users) and push.category is None
    assert "已获学校批准" in push.text and "我的返校码" in push.text

    again = _post(clerk, page, f"{page}/approve")   # a second tab, still showing 批准
    assert f"返校预约 {world.cs} 当前状态为「已批准」，不能批准。" in again.text
    assert len(_pushes(runtime, "approved")) == 1 and len(_audit(runtime, "reunion_approved")) == 1
    # the page's history lists the decision
    assert "批准返校预约" in clerk.get(page).text


def test_a_decline_needs_a_reason_and_loses_nothing_typed(app, runtime, world):
    clerk = client_of(app, "clerk")
    page = f"/admin/reunion/bookings/{world.cs}"
    response = _post(clerk, page, f"{page}/decline", {"reason": "  "}, follow=False)
    assert response.status_code == 400 and "请填写这一项" in response.text
    assert _booking(runtime, world.cs).status is BookingStatus.PENDING


def test_a_decline_frees_every_place_and_the_day_takes_another_class(app, runtime, world):
    settings = runtime.config.features
    with runtime.sessions.begin() as session:
        booking = session.get(ReunionBooking, world.cs)
        venue = booking.day.venues[0]
        venue.booking_id, booking.venue_size, booking.lodging = booking.id, 50, 3
        booking.dinner = True
        booking.day.lodging_booked += 3
        booking.day.dinner_booked += booking.people
        before = day_view(session, world.day, settings)
    clerk = client_of(app, "clerk")
    page = f"/admin/reunion/bookings/{world.cs}"
    response = _post(clerk, page, f"{page}/decline", {"reason": "当天校园封闭施工"})
    assert f"返校预约 {world.cs} 未批准，名额已释放" in response.text
    assert '<span id="booking-status">未批准</span>' in response.text

    with runtime.sessions.begin() as session:
        booking = session.get(ReunionBooking, world.cs)
        assert booking.status is BookingStatus.DECLINED and booking.class_key is None
        assert booking.reason == "当天校园封闭施工"
        after = day_view(session, world.day, settings)
        assert after.people.booked == before.people.booked - 12 == 8     # the chemists stay
        assert after.slots[0].booked == before.slots[0].booked - 12
        assert (after.lodging.booked, after.dinner.booked) == (0, 0)
        assert after.lunch.booked == before.lunch.booked - 12
        assert after.tour.booked == before.tour.booked - 1
        assert session.scalar(select(ReunionVenue.booking_id).where(ReunionVenue.id == venue.id)) is None
        # The class may book again (its class_key is free), and another class fits in its places.
        again = add_booking(session, session.get(Alumnus, booking.contact_alumnus_id), day=world.day, people=12,
                            settings=settings)
        other = add_classmate(session, "o-math-1", "2012201", "钱坤", year=world.day.year - 10,
                              college="数学学院")
        add_booking(session, other, day=world.day, people=12, settings=settings)
        assert again.class_key is not None
        assert day_view(session, world.day, settings).people.booked == 8 + 24

    [(push, users)] = _pushes(runtime, "declined")
    assert users == sorted(world.users) and push.category is None
    assert "当天校园封闭施工" in push.text and "重新预约" in push.text
    [entry] = _audit(runtime, "reunion_declined")
    assert "当天校园封闭施工" in entry.detail
    # declined is final: approving it now is refused
    refused = _post(clerk, f"/admin/reunion/bookings/{world.chem}", f"{page}/approve")
    assert "当前状态为「未批准」，不能批准" in refused.text


def test_visited_only_on_or_after_the_day_then_the_class_photo(app, runtime, world):
    clerk = client_of(app, "clerk")
    coming = f"/admin/reunion/bookings/{world.cs}"
    _post(clerk, coming, f"{coming}/approve")
    early = _post(clerk, coming, f"{coming}/visited")
    assert "当天或之后才能登记到校情况" in early.text
    assert _booking(runtime, world.cs).status is BookingStatus.APPROVED

    past = f"/admin/reunion/bookings/{world.past}"
    bad = _post(clerk, past, f"{past}/photo", {"photo_url": "https://example.com/p.jpg"})
    assert "合影" in bad.text and _booking(runtime, world.past).photo_url is None   # not visited yet
    assert "已登记为未到" in _post(clerk, past, f"{past}/no-show").text
    assert _booking(runtime, world.past).status is BookingStatus.NO_SHOW
    assert "已登记为已返校" in _post(clerk, past, f"{past}/visited").text   # a correction
    assert _booking(runtime, world.past).status is BookingStatus.VISITED

    wrong = _post(clerk, past, f"{past}/photo", {"photo_url": "ftp://example.com/p.jpg"})
    assert "须以 http:// 或 https:// 开头" in wrong.text
    done = _post(clerk, past, f"{past}/photo", {"photo_url": "https://photos.example.com/2006.jpg"})
    assert "已保存返校预约" in done.text and "打开合影" in done.text
    assert _booking(runtime, world.past).photo_url == "https://photos.example.com/2006.jpg"
    [(push, _users)] = _pushes(runtime, "photo")
    assert "https://photos.example.com/2006.jpg" in push.text and push.category is None
    [(visited, _users)] = _pushes(runtime, "visited")
    assert visited.text.startswith("【秩年返校】") and "欢迎回家" in visited.text
    assert len(_pushes(runtime, "no_show")) == 1


def test_a_college_may_not_decide(app, runtime, world):
    dean = client_of(app, "dean")
    page = f"/admin/reunion/bookings/{world.cs}"
    text = dean.get(page).text
    assert "确认学院安排" in text and "批准</button>" not in text and "不批准" not in text
    assert _post(dean, page, f"{page}/decline", {"reason": "x"}, follow=False).status_code == 403


def test_a_post_without_its_csrf_token_is_refused(app, runtime, world):
    clerk = client_of(app, "clerk")
    response = clerk.post(f"/admin/reunion/bookings/{world.cs}/approve")
    assert response.status_code == 400
    assert _booking(runtime, world.cs).status is BookingStatus.PENDING


def test_the_list_filters_by_status_and_date(app, runtime, world):
    clerk = client_of(app, "clerk")
    waiting = clerk.get("/admin/reunion/bookings/").text
    assert f'data-booking="{world.past}"' not in waiting        # approved: not waiting
    approved = clerk.get("/admin/reunion/bookings/?status=approved").text
    assert f'data-booking="{world.past}"' in approved and f'data-booking="{world.cs}"' not in approved
    on_day = clerk.get(f"/admin/reunion/bookings/?status=all&day={world.day.isoformat()}").text
    assert f'data-booking="{world.cs}"' in on_day and f'data-booking="{world.past}"' not in on_day


def test_a_bookings_page_shows_class_members_and_needs_as_text(app, runtime, world):
    with runtime.sessions.begin() as session:
        booking = session.get(ReunionBooking, world.cs)
        booking.note = "<script>alert(1)</script>"
        booking.members[1].companions, booking.members[1].party = ["李娜的先生"], 2
    text = client_of(app, "clerk").get(f"/admin/reunion/bookings/{world.cs}").text
    assert "计算机学院" in text and "王磊" in text and "李娜的先生" in text and "赵敏" in text
    assert "&lt;script&gt;" in text and "<script>alert" not in text
    assert "已报名 4 人" in text


def test_the_college_page_lists_coming_classes_and_refuses_an_empty_programme(app, runtime, world):
    dean = client_of(app, "dean")
    page = dean.get("/admin/reunion/college/").text
    assert f'id="booking-{world.cs}"' in page
    assert f'id="booking-{world.past}"' not in page          # its day has passed
    response = _post(dean, "/admin/reunion/college/", f"/admin/reunion/bookings/{world.cs}/programme",
                     {"programme": "   ", "back": "college"})
    assert response.request.path == "/admin/reunion/college/" and "请填写这一项" in response.text
    assert _booking(runtime, world.cs).status is BookingStatus.PENDING
    assert _pushes(runtime, "programme") == []


def test_staff_stop_a_members_pass_the_gate_refuses_it_and_the_member_is_told(app, runtime, world):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from handlers.reunion.passes import issue_day_code, pass_key
    from handlers.reunion.scanning import scan
    from models.reunion import ReunionMember

    clerk, page = client_of(app, "clerk"), f"/admin/reunion/bookings/{world.cs}"
    _post(clerk, page, f"{page}/approve")
    with runtime.sessions() as session:
        member = session.scalars(select(ReunionMember).where(
            ReunionMember.booking_id == world.cs, ReunionMember.is_contact.is_(False))
            .order_by(ReunionMember.id)).first()
        member_id, user_id = member.id, member.wechat_user_id
    revoke = f"{page}/members/{member_id}/revoke"
    assert _post(client_of(app, "dean"), page, revoke, follow=False).status_code == 403

    stopped = _post(clerk, page, revoke)
    assert "已停用李娜的返校码，已通知本人" in stopped.text
    assert stopped.text.split(f'data-member="{member_id}">')[1].startswith("已停用")
    assert "返校码已于" in _post(clerk, page, revoke).text   # once is enough: said so
    [(push, users)] = _pushes(runtime, "pass_revoked")
    assert users == [user_id] and "停用您的返校码" in push.text
    assert len(_audit(runtime, "reunion_pass_revoked")) == 1

    zone = ZoneInfo("Asia/Shanghai")
    key = pass_key(runtime.config.app.secret_key)
    code = issue_day_code(key, member_id, world.day, zone).code
    with runtime.sessions.begin() as session:
        at_the_gate = scan(session, code, "gate", dt.datetime.combine(world.day, dt.time(9, 30), zone),
                           "clerk", key=key, settings=runtime.config.features)
    assert not at_the_gate.ok and "作废" in at_the_gate.detail + at_the_gate.headline
