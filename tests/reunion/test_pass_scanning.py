"""Scanning passes on the visit day (handlers.reunion.scanning): the gate, the meals, the refusals,
and the one-meal rule under 20 simultaneous scans on the real database."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from handlers.reunion.passes import issue_day_code, issue_minute_code, pass_key
from handlers.reunion.scanning import scan
from models.reunion import BookingStatus, ReunionMeal, ReunionMember
from tests.reunion.support import VISIT_DAY, add_booking, add_classmate

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2026, 4, 11, 9, 30, tzinfo=SHANGHAI)


def booked(runtime, status=BookingStatus.APPROVED, **fields) -> tuple[int, int]:
    """An approved booking of 计算机学院 2016 on VISIT_DAY: (its id, the contact's member id)."""
    with runtime.sessions.begin() as session:
        contact = add_classmate(session, "o-pass-1", "2016010101", "李雷")
        other = add_classmate(session, "o-pass-2", "2016010102", "韩梅梅")
        booking = add_booking(session, contact, status=status, members=(other,), **fields)
        booking.members[0].companions = ["李小雷"]
        booking.members[0].party = 2
        session.flush()
        return booking.id, booking.members[0].id


def scan_now(runtime, code, station, now=AT, staff="guard"):
    key = pass_key(runtime.config.app.secret_key)
    with runtime.sessions() as session:
        result = scan(session, code, station, now, staff, key=key, settings=runtime.config.features)
        session.commit()
        return result


def code_for(runtime, member_id, now=AT, day=VISIT_DAY):
    return issue_minute_code(pass_key(runtime.config.app.secret_key), member_id, day, now).code


def test_the_gate_records_arrival_once_and_tells_the_second_scan_when(runtime):
    _, member_id = booked(runtime)
    first = scan_now(runtime, code_for(runtime, member_id), "gate")
    assert first.ok and first.recorded == "arrival"
    assert (first.name, first.class_label, first.party, first.companions) == (
        "李雷", "计算机学院 2016 届（10 周年）", 2, ["李小雷"])
    assert first.headline == "入校登记成功（共 2 人）"
    later = AT + dt.timedelta(minutes=40)
    second = scan_now(runtime, code_for(runtime, member_id, later), "gate", later)
    assert second.ok and second.repeat and second.recorded is None
    assert second.headline == "已于 09:30 入校"
    with runtime.sessions() as session:
        member = session.get(ReunionMember, member_id)
        assert member.arrived_at == AT and member.arrived_by == "guard"


def test_a_meal_is_served_once_and_the_second_scan_is_told_the_time_of_the_first(runtime):
    _, member_id = booked(runtime)
    noon = dt.datetime(2026, 4, 11, 12, 3, tzinfo=SHANGHAI)
    served = scan_now(runtime, code_for(runtime, member_id, noon), "lunch", noon)
    assert served.ok and served.recorded == "lunch" and served.headline == "午餐已登记：2 份"
    again_at = noon + dt.timedelta(minutes=5)
    again = scan_now(runtime, code_for(runtime, member_id, again_at), "lunch", again_at)
    assert not again.ok and again.detail == "已于 12:03 用过午餐"


def test_a_meal_the_booking_did_not_ask_for_is_refused(runtime):
    _, member_id = booked(runtime, dinner=False)
    refused = scan_now(runtime, code_for(runtime, member_id), "dinner")
    assert not refused.ok and "未申请晚餐" in refused.detail


def test_the_bots_day_code_scans_all_day(runtime):
    _, member_id = booked(runtime)
    code = issue_day_code(pass_key(runtime.config.app.secret_key), member_id, VISIT_DAY, SHANGHAI).code
    assert scan_now(runtime, code, "gate", AT.replace(hour=16)).recorded == "arrival"


def test_a_revoked_pass_is_refused_with_when(runtime):
    _, member_id = booked(runtime)
    with runtime.sessions.begin() as session:
        session.get(ReunionMember, member_id).pass_revoked_at = AT - dt.timedelta(hours=1)
    refused = scan_now(runtime, code_for(runtime, member_id), "gate")
    assert not refused.ok and refused.detail == "这张返校码已于 2026-04-11 08:30 作废，不能使用。"
    assert refused.name == "李雷"


def test_a_pass_of_a_cancelled_booking_is_refused(runtime):
    _, member_id = booked(runtime, status=BookingStatus.CANCELLED)
    refused = scan_now(runtime, code_for(runtime, member_id), "gate")
    assert not refused.ok and "已取消" in refused.detail


def test_a_pass_of_a_booking_not_yet_approved_is_refused_with_the_stage(runtime):
    _, member_id = booked(runtime, status=BookingStatus.CONFIRMED)
    refused = scan_now(runtime, code_for(runtime, member_id), "lunch")
    assert not refused.ok and "尚未获批（等待学校审批）" in refused.detail


def test_a_declined_booking_shows_the_reason(runtime):
    _, member_id = booked(runtime, status=BookingStatus.DECLINED)
    with runtime.sessions.begin() as session:
        session.get(ReunionMember, member_id).booking.reason = "当天校园封闭施工"
    refused = scan_now(runtime, code_for(runtime, member_id), "gate")
    assert refused.detail == "该班的返校预约未获批准：当天校园封闭施工"


def test_another_days_pass_forged_and_replayed_codes_are_refused_at_the_scanner(runtime):
    _, member_id = booked(runtime)
    tomorrow = AT + dt.timedelta(days=1)
    other_day = scan_now(runtime, code_for(runtime, member_id), "gate", tomorrow)
    assert other_day.detail == "这是 2026-04-11 的返校码，今天是 2026-04-12，不能使用。"
    forged = scan_now(runtime, code_for(runtime, member_id).replace(f".{member_id}.", ".999."), "gate")
    assert "无法识别" in forged.detail
    replay = scan_now(runtime, code_for(runtime, member_id, AT - dt.timedelta(minutes=5)), "gate")
    assert "已过期" in replay.detail
    with runtime.sessions() as session:
        assert session.get(ReunionMember, member_id).arrived_at is None


def test_a_member_who_left_the_booking_is_refused(runtime):
    _, member_id = booked(runtime)
    code = code_for(runtime, member_id)
    with runtime.sessions.begin() as session:
        session.delete(session.get(ReunionMember, member_id))
    assert "已不存在" in scan_now(runtime, code, "gate").detail


def test_twenty_simultaneous_lunch_scans_serve_exactly_one(runtime):
    _, member_id = booked(runtime)
    noon = dt.datetime(2026, 4, 11, 12, 3, tzinfo=SHANGHAI)
    code = code_for(runtime, member_id, noon)
    start = threading.Barrier(20)
    results, errors = [], []

    def one(n: int) -> None:
        try:
            start.wait()
            results.append(scan_now(runtime, code, "lunch", noon + dt.timedelta(seconds=n), f"cook{n}"))
        except Exception as exc:  # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    served = [r for r in results if r.ok]
    assert len(served) == 1
    refused = [r for r in results if not r.ok]
    assert len(refused) == 19
    with runtime.sessions() as session:
        meal = session.scalars(select(ReunionMeal)).one()
        assert session.scalar(select(func.count()).select_from(ReunionMeal)) == 1
        first = f"{meal.served_at.astimezone(SHANGHAI):%H:%M}"
    assert {r.detail for r in refused} == {f"已于 {first} 用过午餐"}
