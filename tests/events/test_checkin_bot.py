"""Check-in through the webhook: scanning the event's code (SCAN, or subscribing through it), a
second scan, a walk-in seat (现场报名), no seat left, the wrong day, and the registrant's own code."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from handlers.events.checkin import checkin_key, issue_code
from handlers.reunion.passes import pass_key
from handlers.signed_codes import qr_png
from models import Alumnus, WechatUser
from models.event import Event, EventStatus, Registration, RegistrationStatus
from tests.events.support import add_event, add_registration
from tests.sandbox.support import LiveServer
from tests.wechat import event_xml, post, reply_content, say, text_xml
from wechat_bot.sandbox.api.media import media_content

ZONE = ZoneInfo("Asia/Shanghai")
_clock = itertools.count(int(time.time()))


def today_noon() -> dt.datetime:
    """Noon today in Shanghai: an event that is on today whenever the test runs."""
    return dt.datetime.combine(dt.datetime.now(ZONE).date(), dt.time(12), ZONE).astimezone(dt.UTC)


def add_follower(session, openid: str, *, bound: bool = True) -> WechatUser:
    user = WechatUser(openid=openid, subscribed=True, created_at=dt.datetime.now(dt.UTC))
    session.add(user)
    session.flush()
    if bound:
        now = dt.datetime.now(dt.UTC)
        session.add(Alumnus(student_id=f"20120{user.id:05d}", name="韩梅梅", graduation_year=2012,
                            college="外国语学院", name_key="韩梅梅", search_pinyin="hanmeimei",
                            search_initials="hmm", imported_at=now, wechat_user_id=user.id, bound_at=now))
        session.flush()
    return user


def today_event(session, title: str = "校友午餐沙龙", **fields) -> Event:
    return add_event(session, title, now=today_noon(), starts_in=dt.timedelta(0), **fields)


def scan(client, config, openid: str, scene: str, *, subscribe: bool = False) -> str:
    # Each scan a second apart: WeChat's retries repeat CreateTime, a new scan does not.
    if subscribe:
        body = event_xml(openid, "subscribe", f"<EventKey><![CDATA[qrscene_{scene}]]></EventKey>"
                         "<Ticket>t</Ticket>", create_time=next(_clock))
    else:
        body = event_xml(openid, "SCAN", f"<EventKey><![CDATA[{scene}]]></EventKey><Ticket>t</Ticket>",
                         create_time=next(_clock))
    response = post(client, config.wechat.token, body)
    assert response.status_code == 200
    return reply_content(response.get_data(as_text=True))


def registration_of(runtime, event_id: int, openid: str) -> Registration | None:
    with runtime.sessions() as session:
        return session.scalar(select(Registration).join(WechatUser, Registration.wechat_user_id == WechatUser.id)
                              .where(Registration.event_id == event_id, WechatUser.openid == openid))


def seats_taken(runtime, event_id: int) -> int:
    with runtime.sessions() as session:
        return session.get(Event, event_id).seats_taken


def test_scanning_the_event_code_checks_a_confirmed_registrant_in_and_welcomes_them(client, config, runtime):
    with runtime.sessions.begin() as session:
        user = add_follower(session, "o-reg")
        event = today_event(session, description="十二点开席，请带校友卡。")
        add_registration(session, event, user.id, guests=1)
        event_id = event.id
    answer = scan(client, config, "o-reg", f"checkin:{event_id}")
    assert "签到成功（含同行 1 人）" in answer and "校友午餐沙龙" in answer and "校友之家" in answer
    assert "12:00" in answer and "请带校友卡" in answer
    registration = registration_of(runtime, event_id, "o-reg")
    assert registration.checked_in_at is not None and registration.checked_in_by == "scan"


def test_a_second_scan_records_nothing_and_says_when_the_first_was(client, config, runtime):
    with runtime.sessions.begin() as session:
        user = add_follower(session, "o-twice")
        event_id = add_registration(session, today_event(session), user.id).event_id
    scan(client, config, "o-twice", f"checkin:{event_id}")
    first = registration_of(runtime, event_id, "o-twice").checked_in_at
    answer = scan(client, config, "o-twice", f"checkin:{event_id}")
    assert f"您已于 {first.astimezone(ZONE):%H:%M} 签到过" in answer and "无需重复签到" in answer
    assert registration_of(runtime, event_id, "o-twice").checked_in_at == first


def test_a_new_follower_subscribing_through_the_code_is_welcomed_and_checked_in(client, config, runtime):
    with runtime.sessions.begin() as session:
        user = add_follower(session, "o-new")
        event_id = add_registration(session, today_event(session), user.id).event_id
    answer = scan(client, config, "o-new", f"checkin:{event_id}", subscribe=True)
    assert answer.startswith("签到成功") and "欢迎" in answer
    assert registration_of(runtime, event_id, "o-new").checked_in_at is not None


@pytest.mark.parametrize("status, said", [
    (RegistrationStatus.WAITLISTED, "候补名单上（第 1 位）"),
    (RegistrationStatus.OFFERED, "回复「确认 "),
])
def test_a_registrant_without_a_seat_is_told_their_state_and_not_checked_in(client, config, runtime, status, said):
    with runtime.sessions.begin() as session:
        user = add_follower(session, "o-wait")
        event_id = add_registration(session, today_event(session), user.id, status=status).event_id
    answer = scan(client, config, "o-wait", f"checkin:{event_id}")
    assert said in answer
    assert registration_of(runtime, event_id, "o-wait").checked_in_at is None


def test_a_non_registrant_is_offered_a_walk_in_seat_and_takes_it(client, config, runtime):
    with runtime.sessions.begin() as session:
        add_follower(session, "o-walk")
        event = today_event(session, seats=3)
        event.seats_taken = 1
        event_id = event.id
    answer = scan(client, config, "o-walk", f"checkin:{event_id}")
    assert "您没有报名" in answer and "现场还有 2 个座位" in answer and f"「现场报名 {event_id}」" in answer
    answer = say(client, config.wechat.token, "o-walk", f"现场报名 {event_id}")
    assert "现场报名成功，已为您签到" in answer and "校友午餐沙龙" in answer
    registration = registration_of(runtime, event_id, "o-walk")
    assert (registration.status, registration.channel) == (RegistrationStatus.CONFIRMED, "walk-in")
    assert registration.checked_in_at is not None and registration.alumnus_id is not None
    assert seats_taken(runtime, event_id) == 2
    # Asking again takes no second seat: they are in.
    again = say(client, config.wechat.token, "o-walk", f"现场报名 {event_id}")
    assert "签到过" in again and seats_taken(runtime, event_id) == 2


def test_with_no_seat_left_a_non_registrant_is_told_so_and_a_walk_in_takes_nothing(client, config, runtime):
    with runtime.sessions.begin() as session:
        add_follower(session, "o-full")
        event = today_event(session, seats=1)
        event.seats_taken = 1
        event_id = event.id
    assert "现场座位已满" in scan(client, config, "o-full", f"checkin:{event_id}")
    assert "现场座位已满" in say(client, config.wechat.token, "o-full", f"现场报名 {event_id}")
    assert registration_of(runtime, event_id, "o-full") is None and seats_taken(runtime, event_id) == 1


def test_a_walk_in_outside_the_audience_is_refused(client, config, runtime):
    with runtime.sessions.begin() as session:
        add_follower(session, "o-stranger", bound=False)
        event_id = today_event(session).id   # audience "bound"
    assert "绑定" in scan(client, config, "o-stranger", f"checkin:{event_id}")
    assert "绑定" in say(client, config.wechat.token, "o-stranger", f"现场报名 {event_id}")
    assert registration_of(runtime, event_id, "o-stranger") is None


def test_an_event_on_another_day_is_refused_with_its_date(client, config, runtime):
    with runtime.sessions.begin() as session:
        user = add_follower(session, "o-early")
        event = add_event(session, "校园马拉松", now=today_noon(), starts_in=dt.timedelta(days=3))
        add_registration(session, event, user.id)
        event_id, day = event.id, event.starts_at.astimezone(ZONE).date()
    answer = scan(client, config, "o-early", f"checkin:{event_id}")
    assert f"在 {day:%Y-%m-%d} 举行，今天不能签到" in answer
    assert registration_of(runtime, event_id, "o-early").checked_in_at is None
    assert "今天不能签到" in say(client, config.wechat.token, "o-early", f"现场报名 {event_id}")


def test_a_cancelled_event_is_refused_with_the_reason(client, config, runtime):
    with runtime.sessions.begin() as session:
        user = add_follower(session, "o-off")
        event = today_event(session, status=EventStatus.CANCELLED, cancel_reason="暴雨预警")
        add_registration(session, event, user.id)
        event_id = event.id
    answer = scan(client, config, "o-off", f"checkin:{event_id}")
    assert "已取消" in answer and "暴雨预警" in answer


def test_walk_in_without_a_number_asks_for_it(client, config):
    assert "「现场报名 12」" in say(client, config.wechat.token, "o-x", "现场报名")


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def test_the_registrants_own_code_comes_as_a_qr_image_of_the_signed_code(server):
    runtime = server.runtime
    with runtime.sessions.begin() as session:
        user = add_follower(session, "o-code")
        registration = add_registration(session, today_event(session), user.id)
        event_id, code = registration.event_id, issue_code(
            checkin_key(pass_key(runtime.config.app.secret_key)), registration)
    response = post(server.app.test_client(), runtime.config.wechat.token,
                    text_xml("o-code", f"活动签到码 {event_id}"))
    xml = response.get_data(as_text=True)
    assert "<MsgType><![CDATA[image]]></MsgType>" in xml
    media_id = re.search(r"<MediaId><!\[CDATA\[(.+?)\]\]></MediaId>", xml).group(1)
    data, mimetype = media_content(server.sandbox, media_id)
    assert mimetype == "image/png" and data == qr_png(code)


def test_someone_without_a_seat_gets_no_code(client, config, runtime):
    with runtime.sessions.begin() as session:
        user = add_follower(session, "o-nocode")
        event = today_event(session)
        add_registration(session, event, user.id, status=RegistrationStatus.WAITLISTED)
        other = today_event(session)
        event_id, other_id = event.id, other.id
    assert "还没有确认的座位" in say(client, config.wechat.token, "o-nocode", f"活动签到码 {event_id}")
    assert "您没有报名" in say(client, config.wechat.token, "o-nocode", f"活动签到码 {other_id}")


def test_walk_ins_at_once_take_exactly_the_seats_left(app, config, runtime):
    import threading

    with runtime.sessions.begin() as session:
        for n in range(12):
            add_follower(session, f"o-rush-{n}")
        event = today_event(session, seats=5)
        event.seats_taken = 2
        event_id = event.id
    barrier, answers = threading.Barrier(12), {}

    def rush(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        answers[n] = say(client, config.wechat.token, f"o-rush-{n}", f"现场报名 {event_id}")

    threads = [threading.Thread(target=rush, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seated = [a for a in answers.values() if "现场报名成功" in a]
    full = [a for a in answers.values() if "现场座位已满" in a]
    assert (len(seated), len(full)) == (3, 9), answers
    assert seats_taken(runtime, event_id) == 5
    with runtime.sessions() as session:
        walk_ins = session.scalars(select(Registration).where(Registration.event_id == event_id)).all()
        assert len(walk_ins) == 3 and all(r.checked_in_at for r in walk_ins)
