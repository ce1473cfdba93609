"""The reminders before a visit and the thanks after it, run as the scheduler runs them.

Each test drives the jobs through the registry (`scheduled_jobs`), with a clock of its own; "a new
scheduler instance" is a new JobContext over the same database, as after a restart or on a new
leader. The visit: VISIT_DAY (Saturday 11 April 2026), first slot 09:00-10:00 Shanghai time.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from handlers.settings import Settings
from models.publication import Publication
from models.push import Delivery, Push
from models.reunion import BookingStatus, ReunionNotice, ReunionVenue
from scheduler.jobs import Delivery as DeliveryParts
from scheduler.jobs import JobContext, JobSettings, deliver_pushes, scheduled_jobs
from tests.push.support import FakeLimiter, FakeSender, policy
from tests.reunion.support import NOW, add_booking, add_classmate

STARTS = dt.datetime(2026, 4, 11, 1, 0, tzinfo=dt.UTC)   # 09:00 in Shanghai on VISIT_DAY
WEEK_BEFORE = STARTS - dt.timedelta(days=7)
DAY_BEFORE = STARTS - dt.timedelta(days=1)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def scheduler(runtime, now: dt.datetime) -> JobContext:
    """A scheduler's job context as a fresh process builds it."""
    return JobContext(sessions=runtime.sessions, store=runtime.store, settings=JobSettings(),
                      features=Settings(school_name="示例大学"), clock=Clock(now))


def run(ctx: JobContext, job_id: str):
    return {job.id: job for job in scheduled_jobs(ctx)}[job_id].func(ctx)


def class_of_2016(runtime, status=BookingStatus.APPROVED, **booking):
    """Contact 张伟 and member 李娜 (both bound) and 王芳 (not bound) on one booking."""
    with runtime.sessions.begin() as session:
        contact = add_classmate(session, "o-zhang", "2016010101", "张伟")
        bound = add_classmate(session, "o-li", "2016010102", "李娜")
        unbound = add_classmate(session, None, "2016010103", "王芳")
        row = add_booking(session, contact, members=(bound, unbound), status=status, **booking)
        return row.id, {"o-zhang": contact.wechat_user_id, "o-li": bound.wechat_user_id}


def pushes(runtime) -> list[Push]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Push).order_by(Push.id)))


def recipients(runtime, push_id: int) -> set[int]:
    with runtime.sessions() as session:
        return set(session.scalars(select(Delivery.wechat_user_id).where(Delivery.push_id == push_id)))


def add_publications(runtime) -> None:
    with runtime.sessions.begin() as session:
        for category, title, hidden, days in (
                ("校报", "第 1234 期：新图书馆落成", False, 3), ("校报", "旧的一期校报", False, 30),
                ("校友通讯", "校友通讯 2026 春季号", False, 10), ("校史", "百年校史：从书院到大学", False, 90),
                ("校园新闻", "今日校园：樱花开了", False, 1), ("校史", "已撤下的校史文章", True, 1)):
            session.add(Publication(category=category, title=title, summary=f"{title}的摘要",
                                    url=f"https://news.example.edu/{len(title)}{days}",
                                    picture_url="https://news.example.edu/cover.jpg",
                                    published_at=NOW - dt.timedelta(days=days), hidden=hidden,
                                    created_by="staff", created_at=NOW))


# --- a week before ----------------------------------------------------------------------------

def test_the_week_reminder_comes_at_seven_days_and_only_once_across_runs_and_a_restart(runtime):
    booking_id, users = class_of_2016(runtime)
    assert run(scheduler(runtime, WEEK_BEFORE - dt.timedelta(minutes=60)), "reunion-reminders") == []
    assert pushes(runtime) == []

    leader = scheduler(runtime, WEEK_BEFORE)
    [sent] = run(leader, "reunion-reminders")
    assert (sent.booking_id, sent.kind, sent.recipients) == (booking_id, "remind-7d", 2)
    assert run(leader, "reunion-reminders") == []                        # the next scan
    restarted = scheduler(runtime, WEEK_BEFORE + dt.timedelta(minutes=5))
    assert run(restarted, "reunion-reminders") == []                     # a new leader, later
    [push] = pushes(runtime)
    assert recipients(runtime, push.id) == set(users.values())           # 王芳 is not bound
    assert push.category is None and push.kind == "reminder"            # about their own booking


def test_the_week_reminder_tells_the_days_arrangements(runtime):
    booking_id, _ = class_of_2016(runtime, lodging=3, dinner=True)
    with runtime.sessions.begin() as session:
        from models.reunion import ReunionBooking

        booking = session.get(ReunionBooking, booking_id)
        booking.programme = "与在校生座谈，参观人工智能实验室"
        session.scalar(select(ReunionVenue).where(ReunionVenue.day_id == booking.day_id)
                       .order_by(ReunionVenue.seats).limit(1)).booking_id = booking_id
    run(scheduler(runtime, WEEK_BEFORE), "reunion-reminders")
    [push] = pushes(runtime)
    text = push.text
    assert "2016 届计算机学院校友" in text and "10 周年返校" in text
    assert "日期：2026年4月11日（星期六）" in text
    assert "入校时段：09:00-10:00" in text
    assert "人数：10 人（已加入 3 位校友）" in text
    assert "住宿：3 间" in text
    assert "聚会场地：校友之家活动室" in text
    assert "校园参观：已安排讲解员带队参观" in text
    assert "用餐：午餐、晚餐（食堂，凭返校码免费）" in text
    assert "学院安排：与在校生座谈，参观人工智能实验室" in text
    assert "「我的返校码」" in text
    assert f"「取消预约 {booking_id}」" in text


def test_the_week_reminder_says_when_the_colleges_programme_is_not_settled(runtime):
    class_of_2016(runtime, tour=False, lunch=False)
    run(scheduler(runtime, WEEK_BEFORE), "reunion-reminders")
    [push] = pushes(runtime)
    assert "学院安排：学院正在准备，确定后另行通知" in push.text
    assert "校园参观：无" in push.text and "用餐：无" in push.text and "住宿：无" in push.text
    assert "图文消息" not in push.text   # the library is empty: no cards announced


def test_the_week_reminder_brings_the_newest_of_each_publication_as_news_cards(runtime):
    add_publications(runtime)
    _, users = class_of_2016(runtime)
    run(scheduler(runtime, WEEK_BEFORE), "reunion-reminders")
    text, *cards = pushes(runtime)
    assert "接下来的图文消息是最新的校报、校友通讯、校史" in text.text
    articles = [card.custom_message["news"]["articles"] for card in cards]
    assert [len(a) for a in articles] == [1, 1, 1]     # a customer-service news carries one
    assert [a[0]["title"] for a in articles] == [
        "第 1234 期：新图书馆落成", "校友通讯 2026 春季号", "百年校史：从书院到大学"]
    assert all(card.custom_message["msgtype"] == "news" for card in cards)
    assert articles[0][0]["description"] == "第 1234 期：新图书馆落成的摘要"
    assert articles[0][0]["picurl"] == "https://news.example.edu/cover.jpg"
    # A channel that cannot carry the card (a template message) shows the title and opens the link.
    assert cards[0].text == "【校报】第 1234 期：新图书馆落成"
    assert cards[0].url == articles[0][0]["url"]
    assert all(recipients(runtime, card.id) == set(users.values()) for card in cards)
    with runtime.sessions() as session:   # one record, of the text push
        assert session.scalars(select(ReunionNotice.push_id)).all() == [text.id]


def test_the_cards_go_as_news_to_whom_the_window_allows_and_as_linked_templates_otherwise(runtime):
    add_publications(runtime)
    class_of_2016(runtime)
    with runtime.sessions.begin() as session:
        from models import WechatUser

        zhang = session.scalar(select(WechatUser).where(WechatUser.openid == "o-zhang"))
        zhang.record_interaction(WEEK_BEFORE - dt.timedelta(hours=1), is_message=True)
    run(scheduler(runtime, WEEK_BEFORE), "reunion-reminders")

    def deliver(sender):
        ctx = scheduler(runtime, WEEK_BEFORE + dt.timedelta(seconds=1))
        ctx.delivery = DeliveryParts(sender, FakeLimiter())
        deliver_pushes(ctx)

    no_templates = FakeSender(policy(template=None))
    deliver(no_templates)
    to_zhang = no_templates.to("o-zhang")
    assert [m.custom_message["msgtype"] if m.custom_message else "text" for m in to_zhang] == \
        ["text", "news", "news", "news"]                        # the arrangements first
    assert no_templates.to("o-li") == []                        # no window, no template: waits


def test_the_cards_fall_back_to_a_template_that_opens_the_article(runtime):
    add_publications(runtime)
    class_of_2016(runtime)
    run(scheduler(runtime, WEEK_BEFORE), "reunion-reminders")
    sender = FakeSender()   # a template is configured: the per-user channel WeChat dedups
    ctx = scheduler(runtime, WEEK_BEFORE + dt.timedelta(seconds=1))
    ctx.delivery = DeliveryParts(sender, FakeLimiter())
    deliver_pushes(ctx)
    to_li = sender.to("o-li")
    assert len(to_li) == 4
    assert [m.url for m in to_li[1:]] == [p.url for p in pushes(runtime)[1:]]


# --- a day before -----------------------------------------------------------------------------

def test_the_day_reminder_comes_a_day_before_with_time_gate_and_pass(runtime):
    booking_id, users = class_of_2016(runtime)
    run(scheduler(runtime, WEEK_BEFORE), "reunion-reminders")
    assert run(scheduler(runtime, DAY_BEFORE - dt.timedelta(minutes=1)), "reunion-reminders") == []
    [sent] = run(scheduler(runtime, DAY_BEFORE), "reunion-reminders")
    assert sent.kind == "remind-1d"
    assert run(scheduler(runtime, DAY_BEFORE + dt.timedelta(hours=2)), "reunion-reminders") == []
    day = pushes(runtime)[-1]
    assert "明天 2026年4月11日（星期六） 09:00-10:00 入校" in day.text
    assert "请从学校正门进入" in day.text and "「我的返校码」" in day.text
    assert f"编号 {booking_id}" in day.text
    assert recipients(runtime, day.id) == set(users.values())


def test_a_booking_approved_within_the_week_gets_the_week_reminder_then_the_day_one(runtime):
    class_of_2016(runtime)
    [week] = run(scheduler(runtime, STARTS - dt.timedelta(days=3)), "reunion-reminders")
    [day] = run(scheduler(runtime, DAY_BEFORE + dt.timedelta(hours=1)), "reunion-reminders")
    assert (week.kind, day.kind) == ("remind-7d", "remind-1d")
    assert run(scheduler(runtime, STARTS), "reunion-reminders") == []   # the visit has begun


def test_a_booking_approved_on_the_last_day_gets_only_the_day_reminder(runtime):
    class_of_2016(runtime)
    [only] = run(scheduler(runtime, STARTS - dt.timedelta(hours=12)), "reunion-reminders")
    assert only.kind == "remind-1d"


def test_bookings_not_approved_get_no_reminder(runtime):
    with runtime.sessions.begin() as session:
        for number, status in enumerate((BookingStatus.PENDING, BookingStatus.CONFIRMED,
                                         BookingStatus.DECLINED, BookingStatus.CANCELLED), 1):
            contact = add_classmate(session, f"o-{number}", f"20160{number}0101", "张伟",
                                    college=f"学院{number}")
            add_booking(session, contact, status=status)
    for at in (WEEK_BEFORE, DAY_BEFORE):
        assert run(scheduler(runtime, at), "reunion-reminders") == []
    assert pushes(runtime) == []


def test_a_booking_with_nobody_bound_waits_for_someone_to_bind(runtime):
    with runtime.sessions.begin() as session:
        contact = add_classmate(session, None, "2016010101", "张伟")
        add_booking(session, contact, status=BookingStatus.APPROVED)
    assert run(scheduler(runtime, WEEK_BEFORE), "reunion-reminders") == []
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReunionNotice)) == 0


# --- after the visit --------------------------------------------------------------------------

MORNING_AFTER = dt.datetime(2026, 4, 12, 2, 0, tzinfo=dt.UTC)   # 10:00 Sunday in Shanghai


def test_a_visited_class_is_thanked_once_with_its_photo_and_the_question(runtime):
    booking_id, users = class_of_2016(runtime, status=BookingStatus.VISITED)
    with runtime.sessions.begin() as session:
        from models.reunion import ReunionBooking

        session.get(ReunionBooking, booking_id).photo_url = "https://photos.example.edu/2016-cs.jpg"
    [thanked] = run(scheduler(runtime, MORNING_AFTER), "reunion-thanks")
    assert (thanked.kind, thanked.recipients) == ("thanks", 2)
    assert run(scheduler(runtime, MORNING_AFTER + dt.timedelta(hours=1)), "reunion-thanks") == []
    [push] = pushes(runtime)
    assert "感谢您 2026年4月11日（星期六） 回到母校" in push.text
    assert f"「返校评价 {booking_id} 5 一句话感受」" in push.text
    assert "班级合影：https://photos.example.edu/2016-cs.jpg" in push.text
    assert push.url == "https://photos.example.edu/2016-cs.jpg"
    assert recipients(runtime, push.id) == set(users.values())


def test_thanks_wait_for_the_morning_and_skip_what_was_not_visited(runtime):
    class_of_2016(runtime, status=BookingStatus.VISITED)
    with runtime.sessions.begin() as session:
        other = add_classmate(session, "o-other", "2016020101", "赵六", college="经济学院")
        add_booking(session, other, status=BookingStatus.NO_SHOW)
    night = dt.datetime(2026, 4, 11, 14, 0, tzinfo=dt.UTC)   # 22:00 in Shanghai
    assert run(scheduler(runtime, night), "reunion-thanks") == []
    [thanked] = run(scheduler(runtime, MORNING_AFTER), "reunion-thanks")
    assert "照片" not in pushes(runtime)[0].text and "合影" not in pushes(runtime)[0].text
    assert thanked.recipients == 2


def test_a_visit_long_past_gets_no_late_thanks(runtime):
    class_of_2016(runtime, status=BookingStatus.VISITED)
    assert run(scheduler(runtime, MORNING_AFTER + dt.timedelta(days=10)), "reunion-thanks") == []


def test_two_leaders_scanning_at_once_queue_the_reminder_once(runtime):
    import threading

    add_publications(runtime)
    class_of_2016(runtime)
    barrier = threading.Barrier(4)
    results, failures = [], []

    def leader():
        try:
            ctx = scheduler(runtime, WEEK_BEFORE)
            barrier.wait()
            results.extend(run(ctx, "reunion-reminders"))
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=leader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert [r.kind for r in results] == ["remind-7d"]
    assert len(pushes(runtime)) == 4   # the text and its three cards, once
