"""The booking rules (handlers.reunion.booking) on the real database: every refusal with its reason,
defaults that do not fit, joins with companions and growth, cancel rules, school-wide classes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from handlers.reunion.booking import (
    DEFAULT_NEEDS,
    BookingRefused,
    Needs,
    book,
    cancel,
    join,
    my_bookings,
)
from handlers.reunion.calendar import day_view, materialize
from handlers.reunion.eligibility import eligibility, reply
from handlers.settings import Settings
from models import WechatUser
from models.reunion import BookingStatus, ReunionBooking, ReunionDay
from tests.reunion.support import NOW, VISIT_DAY, add_booking, add_classmate

SETTINGS = Settings()


def with_reunion(**changes) -> Settings:
    return dataclasses.replace(SETTINGS, reunion=dataclasses.replace(SETTINGS.reunion, **changes))


@pytest.fixture
def session(runtime):
    with runtime.sessions.begin() as session:
        yield session


def refused(call) -> BookingRefused:
    with pytest.raises(BookingRefused) as caught:
        call()
    return caught.value


def a_book(session, who, day=VISIT_DAY, people=10, needs=DEFAULT_NEEDS, slot=None, settings=SETTINGS,
           optional=False, now=NOW):
    return book(session, who, day, people, needs, slot, now=now, settings=settings, channel="bot",
                optional=optional)


def notices():
    sent = []

    def notify(session, user_ids, text, at, *, created_by):
        sent.append((tuple(user_ids), text, created_by))

    return sent, notify


# --- booking ---------------------------------------------------------------------------------------

def test_a_booking_takes_the_day_the_earliest_slot_and_the_quotas(session):
    wang = add_classmate(session, "o-wang", "2012001", "王芳")
    booked = a_book(session, wang, needs=Needs(tour=True, lunch=True, dinner=True, lodging=3, venue_size=50))
    b = booked.booking
    assert (b.people, b.tour, b.lunch, b.dinner, b.lodging, b.venue_size) == (10, True, True, True, 3, 50)
    assert b.status is BookingStatus.PENDING and b.class_key == "2016|计算机学院|10" and b.anniversary == 10
    assert [(m.alumnus_id, m.is_contact, m.party) for m in b.members] == [(wang.id, True, 1)]
    assert booked.venue.name == "主楼会议室"   # the smallest with 50 seats or more
    view = day_view(session, VISIT_DAY, SETTINGS)
    assert (view.people.booked, view.slots[0].booked, view.lodging.booked, view.tour.booked,
            view.lunch.booked, view.dinner.booked) == (10, 10, 3, 1, 10, 10)


def test_a_chosen_slot_is_taken_and_a_full_one_refused_with_what_is_left(session):
    settings = with_reunion(slot_capacity_people=15)
    a = add_classmate(session, "o-a", "1", "甲一")
    b = add_classmate(session, "o-b", "2", "乙二", college="数学学院")
    booked = a_book(session, a, slot=dt.time(10, 0), settings=settings)
    assert booked.booking.slot.label == "10:00-11:00"
    why = refused(lambda: a_book(session, b, slot=dt.time(10, 0), settings=settings))
    assert "10:00-11:00 时段还可接待 5 人，您预约了 10 人" in why.reason


def test_past_date_is_refused(session):
    a = add_classmate(session, "o-a", "1", "甲一")
    assert "已经过去了" in refused(lambda: a_book(session, a, day=dt.date(2026, 2, 28))).reason


def test_too_late_names_the_first_bookable_day(session):
    a = add_classmate(session, "o-a", "1", "甲一")
    why = refused(lambda: a_book(session, a, day=dt.date(2026, 3, 7)))
    assert why.code == "too_late"
    assert "至少提前 7 天" in why.reason and "最早可预约 2026-03-09" in why.reason


def test_a_closed_day_is_refused_with_the_note(session):
    a = add_classmate(session, "o-a", "1", "甲一")
    row = materialize(session, VISIT_DAY, SETTINGS, NOW, by="staff")
    row.is_open, row.note = False, "校庆筹备"
    session.flush()
    why = refused(lambda: a_book(session, a))
    assert why.code == "closed" and "不接待返校（校庆筹备）" in why.reason
    weekday = dt.date(2026, 4, 8)   # a Wednesday: closed by default
    assert "不接待返校" in refused(lambda: a_book(session, a, day=weekday)).reason


def test_a_full_day_says_so_and_a_too_big_class_hears_what_is_left(session):
    settings = with_reunion(daily_capacity_people=25)
    a = add_classmate(session, "o-a", "1", "甲一")
    b = add_classmate(session, "o-b", "2", "乙二", college="数学学院")
    c = add_classmate(session, "o-c", "3", "丙三", college="物理学院")
    a_book(session, a, people=20, settings=settings)
    why = refused(lambda: a_book(session, b, people=10, settings=settings))
    assert why.code == "full" and "还可接待 5 人，您预约了 10 人" in why.reason
    a_book(session, b, people=5, settings=settings)
    assert "已约满" in refused(lambda: a_book(session, c, people=1, settings=settings)).reason


def test_a_class_not_in_a_reunion_year_is_told_when_its_next_comes(session):
    a = add_classmate(session, "o-a", "1", "甲一", year=2019)
    why = refused(lambda: a_book(session, a))
    assert why.code == "not_eligible"
    assert "2019 届计算机学院在 2026 年不是秩年（毕业 7 年）" in why.reason
    assert "下一个秩年返校是 2029 年（毕业 10 周年）" in why.reason


def test_headcount_under_one_is_refused(session):
    a = add_classmate(session, "o-a", "1", "甲一")
    assert "至少为 1 人" in refused(lambda: a_book(session, a, people=0)).reason


def test_a_second_booking_of_the_class_gives_the_first_ones_number(session):
    a = add_classmate(session, "o-a", "1", "甲一")
    b = add_classmate(session, "o-b", "2", "乙二")
    first = a_book(session, a).booking
    why = refused(lambda: a_book(session, b, day=VISIT_DAY + dt.timedelta(days=1)))
    assert why.code == "duplicate" and f"编号 {first.id}" in why.reason and f"加入返校 {first.id}" in why.reason


def test_an_unbound_alumnus_is_told_to_bind_first(session):
    a = add_classmate(session, None, "1", "甲一")
    why = refused(lambda: a_book(session, a))
    assert why.code == "not_bound" and "绑定 张伟 2012010101" in why.reason


def test_a_refusal_part_way_leaves_nothing_taken(session):
    settings = with_reunion(lunch_capacity=5)
    a = add_classmate(session, "o-a", "1", "甲一")
    why = refused(lambda: a_book(session, a, needs=Needs(tour=True, lunch=True), settings=settings))
    assert "午餐还余 5 份，您需要 10 份" in why.reason
    view = day_view(session, VISIT_DAY, settings)
    assert (view.people.booked, view.slots[0].booked, view.tour.booked, view.lunch.booked) == (0, 0, 0, 0)
    assert session.scalar(select(ReunionBooking)) is None


def test_default_needs_that_do_not_fit_are_left_out_and_named(session):
    settings = with_reunion(lunch_capacity=5, tour_groups=0)
    a = add_classmate(session, "o-a", "1", "甲一")
    booked = a_book(session, a, settings=settings, optional=True)
    assert set(booked.dropped) == {"tour", "lunch"}
    assert (booked.booking.tour, booked.booking.lunch) == (False, False)
    assert day_view(session, VISIT_DAY, settings).lunch.booked == 0


def test_venues_go_one_class_each_and_then_are_refused(session):
    settings = with_reunion(venues=["小会议室:30"])
    a = add_classmate(session, "o-a", "1", "甲一")
    b = add_classmate(session, "o-b", "2", "乙二", college="数学学院")
    assert a_book(session, a, needs=Needs(venue_size=20), settings=settings).venue.name == "小会议室"
    why = refused(lambda: a_book(session, b, needs=Needs(venue_size=20), settings=settings))
    assert "没有 20 座以上的空闲场地" in why.reason


# --- school-wide classes and anniversaries ----------------------------------------------------------

def test_school_wide_mode_makes_the_year_one_class(session):
    settings = with_reunion(class_scope="school")
    a = add_classmate(session, "o-a", "1", "甲一", college="计算机学院")
    b = add_classmate(session, "o-b", "2", "乙二", college="数学学院")
    first = a_book(session, a, settings=settings).booking
    assert first.college == "" and first.class_key == "2016||10"
    assert "每个班级只能预约一次" in refused(lambda: a_book(session, b, settings=settings)).reason
    joined = join(session, b, first.id, [], now=NOW, settings=settings)
    assert joined.member.alumnus_id == b.id
    assert "2016 届校友：今年是您毕业 10 周年" in reply(eligibility(session, b, NOW, settings), settings)


def test_a_visit_next_january_counts_for_next_years_anniversary(session):
    december = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
    a = add_classmate(session, "o-a", "1", "甲一", year=2017)
    b = add_classmate(session, "o-b", "2", "乙二", year=2016, college="数学学院")
    booked = a_book(session, a, day=dt.date(2027, 1, 9), now=december)
    assert booked.booking.anniversary == 10
    assert "在 2027 年不是秩年" in refused(lambda: a_book(session, b, day=dt.date(2027, 1, 9),
                                                            now=december)).reason
    found = eligibility(session, b, december, SETTINGS)
    assert found.years == {2026: 10} and all(d.day.year == 2026 for d in found.days)


def test_leap_day_is_a_bookable_saturday_when_open(session):
    leap = dt.date(2048, 2, 29)   # a Saturday
    now = dt.datetime(2048, 2, 1, 2, 0, tzinfo=dt.UTC)
    a = add_classmate(session, "o-a", "1", "甲一", year=2038)
    assert a_book(session, a, day=leap, now=now).booking.day.day == leap


# --- join ------------------------------------------------------------------------------------------

def test_join_with_companions_counts_them_and_tells_the_contact(session):
    a = add_classmate(session, "o-a", "1", "甲一")
    b = add_classmate(session, "o-b", "2", "乙二")
    booking = a_book(session, a, people=3).booking
    sent, notify = notices()
    joined = join(session, b, booking.id, ["李娜", "张小明"], now=NOW, settings=SETTINGS, notify=notify)
    assert (joined.member.party, joined.member.companions, joined.grew) == (3, ["李娜", "张小明"], 1)
    assert booking.people == 4 and booking.headcount == 4
    assert day_view(session, VISIT_DAY, SETTINGS).people.booked == 4
    assert day_view(session, VISIT_DAY, SETTINGS).lunch.booked == 4   # lunch grows with the class
    [(to, text, by)] = sent
    assert to == (a.wechat_user_id,) and "乙二加入了编号" in text and "带家属 2 位" in text and by == "reunion:join"


def test_a_join_that_needs_more_than_is_left_is_refused(session):
    settings = with_reunion(daily_capacity_people=11)
    a = add_classmate(session, "o-a", "1", "甲一")
    b = add_classmate(session, "o-b", "2", "乙二")
    booking = a_book(session, a, people=10, settings=settings).booking
    join(session, b, booking.id, [], now=NOW, settings=settings)   # headcount 2 of 10 held
    c = add_classmate(session, "o-c", "3", "丙三")
    why = refused(lambda: join(session, c, booking.id, list("甲乙丙丁戊己庚辛壬"), now=NOW,
                               settings=settings))
    assert "还可接待 1 人，加入需要增加 2 人" in why.reason


def test_joining_twice_or_another_class_or_an_unknown_number_is_refused(session):
    a = add_classmate(session, "o-a", "1", "甲一")
    other = add_classmate(session, "o-x", "9", "外班", college="数学学院")
    booking = a_book(session, a).booking
    assert "您已在编号" in refused(lambda: join(session, a, booking.id, [], now=NOW, settings=SETTINGS)).reason
    why = refused(lambda: join(session, other, booking.id, [], now=NOW, settings=SETTINGS))
    assert why.code == "other_class" and "2016 届计算机学院的返校预约" in why.reason
    assert "没有编号为 99999" in refused(lambda: join(session, a, 99999, [], now=NOW, settings=SETTINGS)).reason


# --- cancel ----------------------------------------------------------------------------------------

def test_the_contact_cancels_frees_everything_and_members_are_told(session):
    a = add_classmate(session, "o-a", "1", "甲一")
    b = add_classmate(session, "o-b", "2", "乙二")
    booking = a_book(session, a, needs=Needs(tour=True, lunch=True, venue_size=30, lodging=2)).booking
    join(session, b, booking.id, [], now=NOW, settings=SETTINGS)
    sent, notify = notices()
    cancel(session, session.get(WechatUser, a.wechat_user_id), booking.id, now=NOW, settings=SETTINGS,
           notify=notify)
    assert booking.status is BookingStatus.CANCELLED and booking.class_key is None
    view = day_view(session, VISIT_DAY, SETTINGS)
    assert (view.people.booked, view.slots[0].booked, view.lodging.booked, view.tour.booked,
            view.lunch.booked) == (0, 0, 0, 0, 0)
    assert not any(v.taken for v in view.venues)
    [(to, text, _)] = sent
    assert to == (b.wechat_user_id,) and "取消了编号" in text
    again = a_book(session, b).booking   # the class may book again
    assert again.id != booking.id


def test_only_the_contact_of_the_class_may_cancel_and_not_on_the_day(session):
    a = add_classmate(session, "o-a", "1", "甲一")
    b = add_classmate(session, "o-b", "2", "乙二")
    x = add_classmate(session, "o-x", "9", "外班", college="数学学院")
    booking = a_book(session, a).booking
    user = lambda who: session.get(WechatUser, who.wechat_user_id)  # noqa: E731
    why = refused(lambda: cancel(session, user(x), booking.id, now=NOW, settings=SETTINGS))
    assert why.code == "not_yours"
    why = refused(lambda: cancel(session, user(b), booking.id, now=NOW, settings=SETTINGS))
    assert why.code == "not_contact" and "只有预约人（甲一）" in why.reason
    midnight = dt.datetime(2026, 4, 10, 16, 0, tzinfo=dt.UTC)   # 00:00 of the day in Shanghai
    why = refused(lambda: cancel(session, user(a), booking.id, now=midnight, settings=SETTINGS))
    assert why.code == "too_late"
    cancel(session, user(a), booking.id, now=midnight - dt.timedelta(seconds=1), settings=SETTINGS)


def test_my_bookings_lists_contact_and_member_bookings(session):
    a = add_classmate(session, "o-a", "1", "甲一")
    b = add_classmate(session, "o-b", "2", "乙二")
    booking = add_booking(session, a, members=(b,))
    [mine] = my_bookings(session, session.get(WechatUser, b.wechat_user_id))
    assert mine.booking.id == booking.id and not mine.is_contact and mine.headcount == 2
    assert session.scalar(select(ReunionDay.people_booked)) == 10


def test_a_join_that_needs_places_on_a_day_staff_closed_is_refused_as_closed(session):
    a = add_classmate(session, "o-a", "1", "甲一")
    b = add_classmate(session, "o-b", "2", "乙二")
    booking = a_book(session, a, people=1).booking
    session.scalar(select(ReunionDay)).is_open = False
    session.flush()
    why = refused(lambda: join(session, b, booking.id, [], now=NOW, settings=SETTINGS))
    assert why.code == "closed" and "不接待返校" in why.reason


def test_a_join_without_lunch_left_says_so(session):
    settings = with_reunion(lunch_capacity=10)
    a = add_classmate(session, "o-a", "1", "甲一")
    b = add_classmate(session, "o-b", "2", "乙二")
    booking = a_book(session, a, people=10, settings=settings).booking   # lunch for 10: none left
    join(session, add_classmate(session, "o-c", "3", "丙三"), booking.id, [], now=NOW, settings=settings)
    why = refused(lambda: join(session, b, booking.id, list("甲乙丙丁戊己庚辛壬"), now=NOW, settings=settings))
    assert "午餐还余 0 份，您需要 2 份" in why.reason   # 2 + 10 people on 10 places
