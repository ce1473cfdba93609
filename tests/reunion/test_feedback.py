"""返校评价 after a visit: through the webhook (signed XML) and the API, with the rules that guard it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from models.reunion import BookingStatus, ReunionFeedback
from tests.api import LiveApi
from tests.reunion.support import add_booking, add_classmate
from tests.wechat import say


def visited_class(runtime, status=BookingStatus.VISITED) -> int:
    with runtime.sessions.begin() as session:
        contact = add_classmate(session, "o-zhang", "2016010101", "张伟")
        member = add_classmate(session, "o-li", "2016010102", "李娜")
        add_classmate(session, "o-stranger", "2016020101", "赵六", college="经济学院")
        return add_booking(session, contact, members=(member,), status=status).id


def answers(runtime) -> list[tuple[int, str | None]]:
    with runtime.sessions() as session:
        return session.execute(select(ReunionFeedback.score, ReunionFeedback.text)
                               .order_by(ReunionFeedback.id)).all()


# --- the bot ----------------------------------------------------------------------------------

def test_a_member_scores_the_visit_in_one_message(client, config, runtime):
    booking_id = visited_class(runtime)
    reply = say(client, config.wechat.token, "o-li", f"返校评价 {booking_id} 5 感谢母校的安排")
    assert "谢谢您的评价（5 分）" in reply
    assert answers(runtime) == [(5, "感谢母校的安排")]


def test_a_second_answer_replaces_the_first_and_says_so(client, config, runtime):
    booking_id = visited_class(runtime)
    say(client, config.wechat.token, "o-li", f"返校评价 {booking_id} 3 还行")
    reply = say(client, config.wechat.token, "o-li", f"返校评价 {booking_id} 4分")
    assert "已更新您的评价（4 分）" in reply and "只保留最新的一条" in reply
    assert answers(runtime) == [(4, None)]


def test_the_keyword_alone_asks_about_the_latest_visit_and_takes_the_answer(client, config, runtime):
    booking_id = visited_class(runtime)
    token = config.wechat.token
    ask = say(client, token, "o-zhang", "返校评价")
    assert f"编号 {booking_id}" in ask and "回复 1-5 的数字" in ask
    assert "分数须为 1 到 5 的整数" in say(client, token, "o-zhang", "十分满意")   # still asked
    assert "分数须为 1 到 5 的整数" in say(client, token, "o-zhang", "6 太好了")
    assert "谢谢您的评价（5 分）" in say(client, token, "o-zhang", "5 见到了老师，很开心")
    assert answers(runtime) == [(5, "见到了老师，很开心")]
    assert "可用指令" in say(client, token, "o-zhang", "帮助")   # the dialog has ended


@pytest.mark.parametrize("score", ["0", "6", "五", "4.5"])
def test_a_score_outside_one_to_five_is_refused_in_chinese(client, config, runtime, score):
    booking_id = visited_class(runtime)
    reply = say(client, config.wechat.token, "o-li", f"返校评价 {booking_id} {score} 不错")
    assert reply == "分数须为 1 到 5 的整数（5 分最满意），例如：5 感谢母校的安排。"
    assert answers(runtime) == []


def test_only_members_of_a_visited_booking_may_answer(client, config, runtime):
    booking_id = visited_class(runtime, status=BookingStatus.APPROVED)
    token = config.wechat.token
    assert "尚未完成" in say(client, token, "o-li", f"返校评价 {booking_id} 5")
    assert "不在编号" in say(client, token, "o-stranger", f"返校评价 {booking_id} 5")
    assert f"没有编号为 {booking_id + 1} 的返校预约" in say(client, token, "o-li",
                                                        f"返校评价 {booking_id + 1} 5")
    assert "还没有已完成的返校" in say(client, token, "o-li", "返校评价")
    assert "请先发送「绑定 姓名 学号」" in say(client, token, "o-nobody", "返校评价")
    assert "返校评价 编号 分数 一句话" in say(client, token, "o-li", "返校评价 很好")
    assert answers(runtime) == []


def test_help_lists_the_feedback_command(client, config):
    assert "返校评价 编号 1-5 一句话" in say(client, config.wechat.token, "o-any", "帮助")


# --- the API ----------------------------------------------------------------------------------

@pytest.fixture
def live(config) -> Iterator[LiveApi]:
    server = LiveApi(config)
    yield server
    server.close()


def api_member(live) -> tuple[str, int]:
    """李娜 binds through the API (the sandbox's mini-program login), on a visited booking."""
    runtime = live.runtime
    with runtime.sessions.begin() as session:
        contact = add_classmate(session, "o-zhang", "2016010101", "张伟")
        li = add_classmate(session, None, "2016010102", "李娜")
    token = live.bound_token(live.person("李娜"), "李娜", "2016010102")
    with runtime.sessions.begin() as session:
        from models import Alumnus

        li = session.get(Alumnus, li.id)
        contact = session.get(Alumnus, contact.id)
        booking = add_booking(session, contact, members=(li,), status=BookingStatus.VISITED)
        return token, booking.id


def test_the_api_records_an_answer_and_replaces_it(live):
    token, booking_id = api_member(live)
    path = f"/reunions/bookings/{booking_id}/feedback"
    first = live.call("POST", path, token, json={"score": 4, "text": "很好"})
    assert first.status_code == 200, first.text
    assert first.json() == {"booking_id": booking_id, "score": 4, "text": "很好", "replaced": False}
    second = live.call("POST", path, token, json={"score": 5})
    assert second.json()["replaced"] is True
    assert answers(live.runtime) == [(5, None)]


@pytest.mark.parametrize("score", [0, 6, -1, 2.5, "五", None])
def test_the_api_refuses_a_score_outside_one_to_five(live, score):
    token, booking_id = api_member(live)
    answer = live.call("POST", f"/reunions/bookings/{booking_id}/feedback", token,
                       json={"score": score, "text": "好"})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "validation_failed"
    assert "score" in answer.json()["error"]["message"]
    assert answers(live.runtime) == []


def test_the_api_refuses_who_was_not_on_the_visit(live):
    token, booking_id = api_member(live)
    stranger = live.login(live.person("路人"))
    assert live.call("POST", f"/reunions/bookings/{booking_id}/feedback", stranger,
                     json={"score": 5}).json()["error"]["code"] == "not_member"
    missing = live.call("POST", f"/reunions/bookings/{booking_id + 9}/feedback", token,
                        json={"score": 5})
    assert missing.status_code == 404
    assert live.call("POST", f"/reunions/bookings/{booking_id}/feedback",
                     json={"score": 5}).status_code == 401


def test_two_answers_at_once_leave_one_row(runtime):
    import datetime as dt
    import threading

    from handlers.reunion.feedback import Outcome, give_feedback
    from models import WechatUser

    booking_id = visited_class(runtime)
    barrier = threading.Barrier(2)
    outcomes, failures = [], []

    def answer(score: int):
        try:
            with runtime.sessions.begin() as session:
                user = session.scalar(select(WechatUser).where(WechatUser.openid == "o-li"))
                barrier.wait()
                outcomes.append(give_feedback(session, user, booking_id, score, None,
                                              now=dt.datetime.now(dt.UTC)).outcome)
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=answer, args=(score,)) for score in (2, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(outcomes) == sorted([Outcome.SAVED, Outcome.UPDATED])
    assert len(answers(runtime)) == 1
