"""A booking's lifecycle as handlers.reunion.lifecycle runs it: each transition from the statuses
it allows only, with a Chinese refusal otherwise; who may act; a decline releasing the places
exactly once, even when staff press at the same moment; each notice to the class, always sent
(no consent category)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from handlers.reunion import lifecycle
from handlers.reunion.calendar import day_view
from handlers.staff.scope import Scope
from models import Delivery, Push, StaffRole
from models.reunion import BookingStatus, ReunionBooking
from tests.reunion.support import NOW, VISIT_DAY, add_booking, add_classmate
from wechat_bot.notify import notify_users

STAFF = Scope(StaffRole.STAFF)
CS_DEAN = Scope(StaffRole.COLLEGE, college="计算机学院")
CHEM_DEAN = Scope(StaffRole.COLLEGE, college="化学学院")
S = BookingStatus


@pytest.fixture
def booked(runtime):
    """计算机学院 2016 on VISIT_DAY: 10 places, contact 王磊 and classmate 李娜."""
    with runtime.sessions.begin() as session:
        contact = add_classmate(session, "o-1", "2016001", "王磊")
        mate = add_classmate(session, "o-2", "2016002", "李娜")
        booking = add_booking(session, contact, members=(mate,))
        return booking.id, sorted([contact.wechat_user_id, mate.wechat_user_id])


def _run(runtime, booking_id, change):
    with runtime.sessions.begin() as session:
        booking = session.get(ReunionBooking, booking_id)
        change(session, booking)


def _status(runtime, booking_id) -> BookingStatus:
    with runtime.sessions() as session:
        return session.get(ReunionBooking, booking_id).status


def test_the_whole_way_pending_confirmed_approved_visited(runtime, booked):
    booking_id, users = booked
    common = {"now": NOW, "notify": notify_users}
    _run(runtime, booking_id, lambda s, b: lifecycle.confirm_programme(
        s, b, " 与在校生座谈 \n 集章路线 ", scope=CS_DEAN, actor="dean", **common))
    assert _status(runtime, booking_id) is S.CONFIRMED
    _run(runtime, booking_id, lambda s, b: lifecycle.approve(s, b, scope=STAFF, actor="clerk", **common))
    # the college may still amend its programme: the status stays approved
    _run(runtime, booking_id, lambda s, b: lifecycle.confirm_programme(
        s, b, "与在校生座谈、名师重上一堂课", scope=CS_DEAN, actor="dean", **common))
    assert _status(runtime, booking_id) is S.APPROVED
    after = NOW.replace(month=4, day=12)
    _run(runtime, booking_id, lambda s, b: lifecycle.mark_visited(
        s, b, scope=STAFF, now=after, settings=runtime.config.features, notify=notify_users))
    with runtime.sessions() as session:
        booking = session.get(ReunionBooking, booking_id)
        assert booking.status is S.VISITED and booking.programme == "与在校生座谈、名师重上一堂课"
        assert (booking.decided_by, booking.programme_by) == ("clerk", "dean")
        pushes = session.scalars(select(Push).order_by(Push.id)).all()
        assert [p.created_by for p in pushes] == ["reunion:programme", "reunion:approved",
                                                  "reunion:programme", "reunion:visited"]
        assert "与在校生座谈 集章路线" in pushes[0].text and "已确认" in pushes[0].text
        assert "更新了" in pushes[2].text
        assert all(p.category is None for p in pushes)
        for push in pushes:
            assert sorted(session.scalars(select(Delivery.wechat_user_id)
                                          .where(Delivery.push_id == push.id))) == users


@pytest.mark.parametrize(("status", "action", "message"), [
    (S.DECLINED, "approve", "当前状态为「未批准」，不能批准。"),
    (S.CANCELLED, "approve", "当前状态为「已取消」，不能批准。"),
    (S.VISITED, "decline", "当前状态为「已返校」，不能不批准。"),
    (S.CANCELLED, "confirm", "当前状态为「已取消」，不能确认学院安排。"),
    (S.PENDING, "visited", "当前状态为「待学院确认」，不能登记为已返校。"),
    (S.CONFIRMED, "no_show", "当前状态为「学院已确认」，不能登记为未到。"),
])
def test_a_transition_from_the_wrong_status_is_refused(runtime, booked, status, action, message):
    booking_id, _ = booked
    with runtime.sessions.begin() as session:
        session.get(ReunionBooking, booking_id).status = status
    after = NOW.replace(month=4, day=12)
    changes = {
        "approve": lambda s, b: lifecycle.approve(s, b, scope=STAFF, actor="c", now=NOW, notify=notify_users),
        "decline": lambda s, b: lifecycle.decline(s, b, "原因", scope=STAFF, actor="c", now=NOW,
                                                  notify=notify_users),
        "confirm": lambda s, b: lifecycle.confirm_programme(s, b, "座谈", scope=STAFF, actor="c", now=NOW,
                                                            notify=notify_users),
        "visited": lambda s, b: lifecycle.mark_visited(s, b, scope=STAFF, now=after,
                                                       settings=runtime.config.features, notify=notify_users),
        "no_show": lambda s, b: lifecycle.mark_no_show(s, b, scope=STAFF, now=after,
                                                       settings=runtime.config.features, notify=notify_users),
    }
    with pytest.raises(lifecycle.Refused) as refused:
        _run(runtime, booking_id, changes[action])
    assert str(refused.value) == f"返校预约 {booking_id} {message}"
    assert _status(runtime, booking_id) is status
    with runtime.sessions() as session:
        assert session.scalar(select(Push.id)) is None


def test_who_may_act(runtime, booked):
    booking_id, _ = booked
    with pytest.raises(lifecycle.Refused, match="只能确认本学院班级的返校安排"):
        _run(runtime, booking_id, lambda s, b: lifecycle.confirm_programme(
            s, b, "实验室参观", scope=CHEM_DEAN, actor="chemdean", now=NOW, notify=notify_users))
    with pytest.raises(lifecycle.Refused, match="只有学校工作人员可以批准"):
        _run(runtime, booking_id, lambda s, b: lifecycle.approve(
            s, b, scope=CS_DEAN, actor="dean", now=NOW, notify=notify_users))
    with pytest.raises(lifecycle.Refused, match="请填写学院安排的活动"):
        _run(runtime, booking_id, lambda s, b: lifecycle.confirm_programme(
            s, b, "  \n ", scope=CS_DEAN, actor="dean", now=NOW, notify=notify_users))
    with pytest.raises(lifecycle.Refused, match="请填写不批准的原因"):
        _run(runtime, booking_id, lambda s, b: lifecycle.decline(
            s, b, " ", scope=STAFF, actor="clerk", now=NOW, notify=notify_users))
    assert _status(runtime, booking_id) is S.PENDING


def test_the_outcome_waits_for_the_day_in_the_schools_time_zone(runtime, booked):
    booking_id, _ = booked
    with runtime.sessions.begin() as session:
        session.get(ReunionBooking, booking_id).status = S.APPROVED
    eve = NOW.replace(month=4, day=10, hour=15, minute=59)     # 23:59 on the 10th in Shanghai
    with pytest.raises(lifecycle.Refused, match="当天或之后才能登记到校情况"):
        _run(runtime, booking_id, lambda s, b: lifecycle.mark_no_show(
            s, b, scope=STAFF, now=eve, settings=runtime.config.features, notify=notify_users))
    midnight = NOW.replace(month=4, day=10, hour=16)           # 00:00 on the 11th
    _run(runtime, booking_id, lambda s, b: lifecycle.mark_no_show(
        s, b, scope=STAFF, now=midnight, settings=runtime.config.features, notify=notify_users))
    assert _status(runtime, booking_id) is S.NO_SHOW


def test_staff_declining_at_the_same_moment_release_the_places_once(runtime, booked):
    booking_id, _ = booked
    settings = runtime.config.features
    with runtime.sessions.begin() as session:   # another class holds places on the day too
        other = add_classmate(session, "o-9", "2016901", "钱坤", college="数学学院")
        add_booking(session, other, people=7)
    results: list[str] = []
    start = threading.Barrier(6)

    def press(n: int) -> None:
        start.wait()
        try:
            _run(runtime, booking_id, lambda s, b: lifecycle.decline(
                s, b, f"原因 {n}", scope=STAFF, actor=f"staff{n}", now=NOW, notify=notify_users))
        except lifecycle.Refused:
            results.append("refused")
        else:
            results.append("done")

    threads = [threading.Thread(target=press, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["done"] + ["refused"] * 5
    with runtime.sessions() as session:
        view = day_view(session, VISIT_DAY, settings)
        assert (view.people.booked, view.slots[0].booked, view.lunch.booked, view.tour.booked) == (7, 7, 7, 1)
        assert len(session.scalars(select(Push)).all()) == 1
