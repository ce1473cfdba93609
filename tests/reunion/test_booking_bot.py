"""Booking a reunion through the real webhook (signed XML): 返校 and its dialog, 预约返校, 加入返校
with companions, 我的预约, 取消预约 and the REUNION_INFO / REUNION_MINE buttons.

The webhook reads the wall clock, so the visit day is the first open Saturday a class may book
from today, and the class is the one whose 10th anniversary falls in that day's year.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from menus.keys import MenuKey
from models.push import Push
from models.reunion import BookingStatus, ReunionBooking, ReunionDay
from tests.reunion.booking_support import VISIT, YEAR
from tests.reunion.support import add_booking, add_classmate
from tests.wechat import event_xml, post, reply_content, say


@pytest.fixture
def classmates(runtime):
    """Three bound classmates of one class, one of another college, one unbound; {name: alumnus id}."""
    with runtime.sessions.begin() as session:
        people = {
            "王芳": add_classmate(session, "o-wang", "2012001", "王芳", year=YEAR),
            "李雷": add_classmate(session, "o-li", "2012002", "李雷", year=YEAR),
            "韩梅": add_classmate(session, "o-han", "2012003", "韩梅", year=YEAR),
            "外院": add_classmate(session, "o-other", "2012009", "外院", year=YEAR, college="数学学院"),
            "早届": add_classmate(session, "o-early", "2013001", "早届", year=YEAR + 3),
        }
        return {name: a.id for name, a in people.items()}


CLICKS = itertools.count(int(time.time()))


def click(client, config, openid: str, key: str) -> str:
    # Each tap its own second: WeChat's retry of an event repeats sender, time and key.
    xml = event_xml(openid, "CLICK", f"<EventKey><![CDATA[{key}]]></EventKey>", create_time=next(CLICKS))
    return reply_content(post(client, config.wechat.token, xml).get_data(as_text=True))


def bookings(runtime) -> list[ReunionBooking]:
    with runtime.sessions() as session:
        return list(session.scalars(select(ReunionBooking).order_by(ReunionBooking.id)))


def pushes(runtime) -> list[Push]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Push).order_by(Push.id)))


def test_an_unbound_follower_is_asked_to_bind_first(client, config):
    assert "绑定 张伟 2012010101" in say(client, config.wechat.token, "o-nobody", "返校")
    assert "绑定 张伟 2012010101" in say(client, config.wechat.token, "o-nobody", f"预约返校 {VISIT} 10")


def test_a_class_in_no_reunion_year_hears_when_its_next_comes(client, config, classmates):
    reply = say(client, config.wechat.token, "o-early", "返校")
    assert f"{VISIT.year} 年不是您的秩年返校年份" in reply and "毕业 10 周年" in reply
    assert "不是秩年" in say(client, config.wechat.token, "o-early", f"预约返校 {VISIT} 10")


def test_the_dialog_walks_from_the_date_to_a_confirmed_booking(client, config, runtime, classmates):
    token = config.wechat.token
    info = click(client, config, "o-wang", MenuKey.REUNION_INFO)
    assert f"{YEAR} 届计算机学院校友" in info and "毕业 10 周年" in info
    assert f"{VISIT:%Y-%m-%d} 周六  余 150 人" in info and "回复上面的日期序号" in info
    number = next(line.split(".")[0] for line in info.splitlines() if f"{VISIT:%Y-%m-%d}" in line)
    assert "请回复上面列出的日期序号" in say(client, token, "o-wang", "明天")   # the question stays
    slots = say(client, token, "o-wang", number)
    assert "请选择入校时段" in slots and "1. 09:00-10:00  余 150 人" in slots
    assert "还可接待 150 人" in say(client, token, "o-wang", "2")
    assert "请回复人数" in say(client, token, "o-wang", "900")
    needs = say(client, token, "o-wang", "12人")
    assert "A. 校园导览" in needs and "B. 食堂午餐（12 份" in needs
    assert "需要几间住宿" in say(client, token, "o-wang", "ABDE")
    assert "还有什么要告诉学校" in say(client, token, "o-wang", "3")
    summary = say(client, token, "o-wang", "想见王老师")
    assert "10:00-11:00，12 人" in summary and "校园导览、午餐 12 份、座谈场地（12 座以上）、住宿 3 间" in summary
    assert "留言：想见王老师" in summary and "回复「确认」" in summary
    done = say(client, token, "o-wang", "确认")
    [booking] = bookings(runtime)
    assert f"预约已提交，编号 {booking.id}" in done and "座谈场地：校友之家活动室（40 座）" in done
    assert (booking.people, booking.lodging, booking.tour, booking.lunch, booking.venue_size,
            booking.note, booking.slot_id) == (12, 3, True, True, 12, "想见王老师", booking.slot_id)
    assert "预约已提交" not in say(client, token, "o-wang", "确认")   # the dialog is over
    assert f"本班已预约：编号 {booking.id}" in say(client, token, "o-wang", "返校")
    assert f"发送「加入返校 {booking.id}」加入" in say(client, token, "o-li", "返校")


def test_leaving_the_dialog_at_the_summary_books_nothing(client, config, runtime, classmates):
    token = config.wechat.token
    say(client, token, "o-wang", "返校")
    for answer in ("1", "1", "5", "好", "无"):
        say(client, token, "o-wang", answer)
    assert "已退出当前操作" in say(client, token, "o-wang", "取消")
    assert bookings(runtime) == []


def test_book_at_once_with_the_defaults_and_a_classmate_cannot_book_again(client, config, runtime,
                                                                          classmates):
    token = config.wechat.token
    done = say(client, token, "o-wang", f"预约返校 {VISIT} 20")
    [booking] = bookings(runtime)
    assert f"编号 {booking.id}" in done and "09:00-10:00，20 人" in done
    assert "需要：校园导览、午餐 20 份" in done and f"加入返校 {booking.id}" in done
    second = say(client, token, "o-li", f"预约返校 {VISIT + dt.timedelta(days=1)} 5")
    assert f"已有返校预约（编号 {booking.id}" in second and f"加入返校 {booking.id}" in second
    mine = say(client, token, "o-wang", f"预约返校 {VISIT + dt.timedelta(days=1)} 5")
    assert f"您已在本班的返校预约中（编号 {booking.id}" in mine
    assert "请发送「预约返校 YYYY-MM-DD 人数」" in say(client, token, "o-wang", "预约返校 2026-1-1")
    assert "不是有效的日期" in say(client, token, "o-wang", f"预约返校 {VISIT.year}-02-30 5")


def test_every_refusal_of_预约返校_says_why(client, config, runtime, classmates):
    token = config.wechat.token
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert "已经过去了" in say(client, token, "o-wang", f"预约返校 {today - dt.timedelta(days=1)} 5")
    assert "至少提前 7 天" in say(client, token, "o-wang", f"预约返校 {today + dt.timedelta(days=1)} 5")
    assert "不接待返校" in say(client, token, "o-wang", f"预约返校 {VISIT - dt.timedelta(days=3)} 5")
    assert "人数至少为 1 人" in say(client, token, "o-wang", f"预约返校 {VISIT} 0")
    assert "还可接待 500 人，您预约了 600 人" in say(client, token, "o-wang", f"预约返校 {VISIT} 600")
    assert bookings(runtime) == []


def test_a_default_need_without_room_is_left_out_and_said(client, config, runtime, classmates):
    with runtime.sessions.begin() as session:
        from handlers.reunion.calendar import materialize
        row = materialize(session, VISIT, runtime.config.features, dt.datetime.now(dt.UTC), by="staff")
        row.tour_capacity = 0
    done = say(client, config.wechat.token, "o-wang", f"预约返校 {VISIT} 10")
    assert "需要：午餐 10 份" in done and "注意：校园导览已没有余量" in done


def test_join_with_companions_and_the_contact_is_told(client, config, runtime, classmates):
    token = config.wechat.token
    say(client, token, "o-wang", f"预约返校 {VISIT} 2")
    [booking] = bookings(runtime)
    ask = say(client, token, "o-li", f"加入返校 {booking.id}")
    assert f"加入编号 {booking.id}" in ask and "有家属同行吗" in ask
    assert "不像姓名" in say(client, token, "o-li", "李娜 12345")   # asked again
    joined = say(client, token, "o-li", "李娜、张小明")
    assert f"已加入编号 {booking.id}" in joined and "同行家属：李娜、张小明" in joined
    assert "预约人数随之增加到 4 人" in joined
    [notice] = pushes(runtime)
    with runtime.sessions() as session:
        from models import WechatUser
        wang = session.scalar(select(WechatUser.id).where(WechatUser.openid == "o-wang"))
    assert notice.audience == f"users:{wang}" and "李雷加入了编号" in notice.text and "带家属 2 位" in notice.text
    assert "您已在编号" in say(client, token, "o-li", f"加入返校 {booking.id}")
    assert "2 位同学（共 4 人）" in say(client, token, "o-wang", "我的预约")
    assert "数学学院" not in say(client, token, "o-other", f"加入返校 {booking.id}").split("是")[0]
    assert f"{YEAR} 届计算机学院的返校预约，只有该班的校友可以加入" in say(
        client, token, "o-other", f"加入返校 {booking.id}")
    assert "没有编号为 987654" in say(client, token, "o-han", "加入返校 987654")
    say(client, token, "o-han", f"加入返校{booking.id}")   # glued to the word
    assert "已加入" in say(client, token, "o-han", "无")


def test_my_bookings_says_what_one_can_do_next(client, config, runtime, classmates):
    token = config.wechat.token
    assert "您还没有返校预约" in click(client, config, "o-wang", MenuKey.REUNION_MINE)
    say(client, token, "o-wang", f"预约返校 {VISIT} 8")
    [booking] = bookings(runtime)
    mine = click(client, config, "o-wang", MenuKey.REUNION_MINE)
    assert f"编号 {booking.id}｜{VISIT:%Y-%m-%d}" in mine and "待学院确认" in mine and "您是预约人" in mine
    assert f"取消预约 {booking.id}" in mine and "我的返校码" in mine


def test_cancel_by_the_contact_frees_the_day_and_tells_the_members(client, config, runtime, classmates):
    token = config.wechat.token
    say(client, token, "o-wang", f"预约返校 {VISIT} 8")
    [booking] = bookings(runtime)
    say(client, token, "o-li", f"加入返校 {booking.id}")
    say(client, token, "o-li", "无")
    assert "只有预约人（王芳）可以取消" in say(client, token, "o-li", f"取消预约 {booking.id}")
    assert "不是您班级的返校预约" in say(client, token, "o-other", f"取消预约 {booking.id}")
    assert "已取消编号" in say(client, token, "o-wang", f"取消预约 {booking.id}")
    [booking] = bookings(runtime)
    assert booking.status is BookingStatus.CANCELLED
    with runtime.sessions() as session:
        assert session.scalar(select(ReunionDay.people_booked)) == 0
    notice = pushes(runtime)[-1]
    assert "王芳取消了编号" in notice.text
    assert "当前为「已取消」，不能取消" in say(client, token, "o-wang", f"取消预约 {booking.id}")
    assert "当前为「已取消」，不能再加入" in say(client, token, "o-han", f"加入返校 {booking.id}")
    assert "预约已提交" in say(client, token, "o-li", f"预约返校 {VISIT} 8")   # the class books again


def test_cancel_on_the_day_is_too_late(client, config, runtime, classmates):
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    with runtime.sessions.begin() as session:
        from models import Alumnus
        booking = add_booking(session, session.get(Alumnus, classmates["王芳"]), day=today,
                              settings=runtime.config.features)
        number = booking.id
    assert "返校日零点起不能再取消" in say(client, config.wechat.token, "o-wang", f"取消预约 {number}")


def test_a_reunion_command_typed_inside_the_dialog_is_that_command(client, config, runtime, classmates):
    token = config.wechat.token
    say(client, token, "o-wang", "返校")
    assert "您还没有返校预约" in say(client, token, "o-wang", "我的预约")
    say(client, token, "o-wang", "返校")
    say(client, token, "o-wang", "1")
    assert "预约已提交" in say(client, token, "o-wang", f"预约返校 {VISIT} 10")
    assert len(bookings(runtime)) == 1


def test_school_wide_the_year_is_one_class_across_colleges(make_app, config, runtime, classmates):
    client = make_app(reunion={"class_scope": "school"}).test_client()
    token = config.wechat.token
    info = say(client, token, "o-other", "返校")
    assert f"{YEAR} 届校友：" in info and "计算机学院" not in info
    done = say(client, token, "o-other", f"预约返校 {VISIT} 10")
    [booking] = bookings(runtime)
    assert f"编号 {booking.id}" in done and booking.college == "" and booking.class_key == f"{YEAR}||10"
    assert f"已有返校预约（编号 {booking.id}" in say(client, token, "o-wang", f"预约返校 {VISIT} 10")
    say(client, token, "o-wang", f"加入返校 {booking.id}")   # another college, the same year: one class
    assert "已加入" in say(client, token, "o-wang", "无")
