"""当日安排 and 返校反馈: a day's classes by slot with headcount, rooms, venue, meals, tour and
programme and their totals; printed by Chromium on exactly one A4 page for a day of ten classes;
the feedback's scores and lines per booking with the averages."""

from __future__ import annotations

import re

import pytest

from models.reunion import BookingStatus, ReunionBooking, ReunionFeedback
from tests.admin.browser import admin_page, log_in, needs_chromium
from tests.admin.reunion_world import build, client_of, coming_saturday
from tests.admin.support import PASSWORD, add_account
from tests.reunion.support import NOW, add_booking, add_classmate
from tests.sandbox.support import LiveServer

COLLEGES = ["计算机学院", "化学学院", "数学学院", "物理学院", "外国语学院", "经济学院", "法学院",
            "历史学院", "生命科学学院", "机械工程学院"]
PROGRAMME = "与在校生座谈；实验室参观；名师重上一堂课（张教授，数据结构）；集章路线：老图书馆—主楼—食堂"


def ten_classes(session, settings, day) -> list[int]:
    ids = []
    for number, college in enumerate(COLLEGES):
        contact = add_classmate(session, f"o-plan-{number}", f"20170{number:02d}", f"联系人{number}",
                                year=day.year - 10, college=college)
        booking = add_booking(session, contact, day=day, people=20 + number, settings=settings,
                              lodging=number % 3, dinner=number % 2 == 0, tour=number < 8)
        booking.slot_id = booking.day.slots[number % len(booking.day.slots)].id
        booking.programme, booking.status = PROGRAMME, BookingStatus.CONFIRMED
        if number < 4:
            booking.day.venues[number].booking_id, booking.venue_size = booking.id, 30
        ids.append(booking.id)
    return ids


def test_the_day_plan_lists_every_class_with_the_days_totals(app, runtime):
    world = build(runtime)
    with runtime.sessions.begin() as session:
        session.get(ReunionBooking, world.chem).dinner = True
    page = client_of(app, "clerk").get(f"/admin/reunion/dayplan/?day={world.day.isoformat()}").text
    assert f'data-booking="{world.cs}"' in page and f'data-booking="{world.chem}"' in page
    assert "共 2 个班级，20 人" in page and "午餐 20 份，晚餐 8 份" in page and "校园参观 2 组" in page
    assert 'src="/admin/static/reunion_print.js"' in page and "<script>" not in page
    # with no day asked, the plan opens at the next day with classes
    assert f"当日安排 {world.day.isoformat()}" in client_of(app, "boss").get("/admin/reunion/dayplan/").text
    assert client_of(app, "dean").get("/admin/reunion/dayplan/").status_code == 403


def test_feedback_scores_and_lines_per_booking_with_the_average(app, runtime):
    world = build(runtime)
    with runtime.sessions.begin() as session:
        past = session.get(ReunionBooking, world.past)
        past.status = BookingStatus.VISITED
        member = past.members[0]
        session.add(ReunionFeedback(booking_id=past.id, member_id=member.id, score=5,
                                    text="食堂的红烧肉还是当年的味道", created_at=NOW))
        cs = session.get(ReunionBooking, world.cs)
        for member, score in zip(cs.members, (3, 4), strict=False):
            session.add(ReunionFeedback(booking_id=cs.id, member_id=member.id, score=score,
                                        text=None, created_at=NOW))
    page = client_of(app, "clerk").get("/admin/reunion/feedback/").text
    assert 'id="average">4.0<' in page and "共 3 份反馈" in page
    assert "5 分：食堂的红烧肉还是当年的味道" in page and "2 份，平均 3.5 分" in page
    dean = client_of(app, "chemdean").get("/admin/reunion/feedback/").text   # 化学学院: none of these
    assert "还没有返校反馈" in dean


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


@needs_chromium
def test_the_day_plan_of_ten_classes_prints_on_one_a4_page(server):
    runtime = server.runtime
    day = coming_saturday(weeks=8)
    add_account(runtime, "李老师", "staff")
    with runtime.sessions.begin() as session:
        ten_classes(session, runtime.config.features, day)
    with admin_page() as (page, errors):
        log_in(page, server.url, "李老师", PASSWORD)
        page.goto(f"{server.url}/admin/reunion/dayplan/?day={day.isoformat()}")
        assert page.locator("#dayplan tbody tr").count() == 10
        pdf = page.pdf(format="A4", print_background=False, prefer_css_page_size=True)
        assert errors == []
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert pages == 1, f"the day plan printed on {pages} pages"
    # and it is A4: 595 x 842 points
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)
    assert box and round(float(box.group(1))) == 595 and round(float(box.group(2))) == 842
