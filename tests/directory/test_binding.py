"""Binding through the bot: what the alumnus reads, and what the database then holds."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from handlers.directory.binding import BindOutcome, bind_alumnus, binding_lockout
from menus.keys import MenuKey
from models import Alumnus, BindingEvent, MessageLog, StaffAlert, WechatUser
from tests.roster import add_alumnus
from tests.wechat import click_xml, post, reply_content, say

IMPORTED = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
TAKEN = "该身份已被其他微信账号绑定，如有疑问请联系校友会。"


def directory_settings(config):
    """The directory settings the app runs with (its keys under this test's Redis prefix)."""
    return config.directory




@pytest.fixture
def roster(runtime):
    with runtime.sessions.begin() as session:
        return {
            "zhangwei": add_alumnus(session, "2012010101", "张伟", 2012, phone="13812345678",
                                    email="zhangwei@example.com", city="上海", employer="甲公司"),
            "zhangwei_ms": add_alumnus(session, "2015110101", "张伟", 2015, degree="硕士"),
            "lina": add_alumnus(session, "2013020202", "李娜", 2013, college="经济学院"),
            "ayi": add_alumnus(session, "S2014001", "阿依·古丽", 2014),
            "mixed": add_alumnus(session, "Sx2016Ab07", "王芳", 2016),
        }


def record(runtime, alumnus_id) -> Alumnus:
    with runtime.sessions() as session:
        return session.get(Alumnus, alumnus_id)


def user_id(runtime, openid) -> int | None:
    with runtime.sessions() as session:
        return session.scalar(select(WechatUser.id).where(WechatUser.openid == openid))


def events(runtime, kind=None) -> list[BindingEvent]:
    with runtime.sessions() as session:
        stmt = select(BindingEvent).order_by(BindingEvent.id)
        if kind:
            stmt = stmt.where(BindingEvent.kind == kind)
        return list(session.scalars(stmt))


@pytest.fixture
def talk(client, config):
    return lambda openid, text: say(client, config.wechat.token, openid, text)


def test_bind_dialog_asks_name_then_student_id_and_links_the_record(talk, runtime, roster):
    assert "请输入您的姓名" in talk("o-zw", "绑定")
    assert talk("o-zw", "张伟") == "请输入学号。"
    reply = talk("o-zw", "2012010101")
    assert reply.startswith("绑定成功！欢迎您，张伟校友（本科 2012届 计算机学院 软件工程）")
    assert "目前只有同学院、同届的校友能查到您，发送「隐私」可以修改。" in reply
    bound = record(runtime, roster["zhangwei"])
    assert bound.wechat_user_id == user_id(runtime, "o-zw") and bound.bound_at is not None
    [event] = events(runtime)
    assert (event.kind, event.channel, event.alumnus_id) == ("bound", "bot", roster["zhangwei"])


def test_one_shot_binding_tolerates_full_width_spaces_and_punctuation(talk, runtime, roster):
    assert talk("o-zw", "绑定　张　伟，２０１２０１０１０１").startswith("绑定成功")
    assert record(runtime, roster["zhangwei"]).wechat_user_id == user_id(runtime, "o-zw")


def test_name_and_student_id_glued_to_the_command_bind(talk, runtime, roster):
    assert talk("o-zw", "绑定张伟2012010101").startswith("绑定成功")
    assert record(runtime, roster["zhangwei"]).wechat_user_id == user_id(runtime, "o-zw")


def test_names_with_middle_dots_and_letters_in_student_ids_bind(talk, runtime, roster):
    assert talk("o-ay", "绑定 阿依·古丽 S2014001").startswith("绑定成功")
    assert record(runtime, roster["ayi"]).wechat_user_id == user_id(runtime, "o-ay")


@pytest.mark.parametrize("typed", ["Sx2016Ab07", "sx2016ab07", "SX2016AB07", "ｓｘ２０１６ａｂ０７"])
def test_a_student_id_with_mixed_case_letters_binds_however_it_is_typed(talk, runtime, roster, typed):
    assert talk("o-wf", f"绑定 王芳 {typed}").startswith("绑定成功")
    assert record(runtime, roster["mixed"]).wechat_user_id == user_id(runtime, "o-wf")


def test_the_student_id_typed_in_the_dialog_in_another_case_binds(talk, runtime, roster):
    talk("o-wf", "绑定")
    talk("o-wf", "王芳")
    assert talk("o-wf", "SX2016ab07").startswith("绑定成功")


def test_menu_button_starts_the_bind_dialog(client, config, talk, runtime, roster):
    response = post(client, config.wechat.token, click_xml("o-zw", MenuKey.BIND))
    assert "请输入您的姓名" in reply_content(response.get_data(as_text=True))
    talk("o-zw", "张伟")
    assert talk("o-zw", "2012010101").startswith("绑定成功")


def test_bind_with_only_a_name_asks_for_the_student_id(talk, roster):
    assert talk("o-zw", "绑定 张伟") == "请输入学号。"
    assert talk("o-zw", "2012010101").startswith("绑定成功")


def test_a_student_id_that_is_not_one_is_asked_again_without_counting(talk, runtime, roster):
    talk("o-zw", "绑定")
    talk("o-zw", "张伟")
    assert "学号由数字或字母组成" in talk("o-zw", "不知道")
    assert talk("o-zw", "2012010101").startswith("绑定成功")
    assert events(runtime, "failed") == []


def test_cancel_leaves_the_bind_dialog(talk, runtime, roster):
    talk("o-zw", "绑定")
    assert "已退出" in talk("o-zw", "取消")
    assert "没有听懂" in talk("o-zw", "张伟")
    assert record(runtime, roster["zhangwei"]).wechat_user_id is None


def test_wrong_student_id_and_wrong_name_get_the_same_answer(talk, runtime, roster):
    wrong_id = talk("o-a", "绑定 张伟 2012019999")
    wrong_name = talk("o-b", "绑定 张三 2012010101")
    assert wrong_id == wrong_name == "没有找到与该姓名和学号相符的学籍，请核对后再试。"
    assert record(runtime, roster["zhangwei"]).wechat_user_id is None
    assert [e.kind for e in events(runtime)] == ["failed", "failed"]


def test_five_failures_lock_binding_even_for_the_right_answer_until_the_lock_ends(
        talk, runtime, config, roster):
    for attempt in range(4):
        assert "没有找到" in talk("o-x", f"绑定 张伟 20120100{attempt:02d}")
    fifth = talk("o-x", "绑定 张伟 2012010199")
    assert "没有找到" in fifth and "已暂停绑定" in fifth and "1 小时" in fifth
    assert "已暂停绑定" in talk("o-x", "绑定 张伟 2012010101")  # the right answer, too
    assert "已暂停绑定" in talk("o-x", "绑定")                   # no dialog while locked
    assert record(runtime, roster["zhangwei"]).wechat_user_id is None
    assert "已暂停绑定" not in talk("o-other", "绑定")          # only this user is locked

    lockout = binding_lockout(runtime.store, directory_settings(config))
    lock = lockout.lock_key(str(user_id(runtime, "o-x")))
    assert 3500 < runtime.store.ttl(lock) <= 3600
    runtime.store.delete(lock)  # an hour later
    assert talk("o-x", "绑定 张伟 2012010101").startswith("绑定成功")


def test_lockout_counts_failures_from_every_channel(talk, runtime, config, roster):
    [uid] = _users(runtime, "o-x")
    limiter = binding_lockout(runtime.store, directory_settings(config))
    with runtime.sessions.begin() as session:
        user = session.get(WechatUser, uid)
        for attempt in range(4):
            result = bind_alumnus(session, user, "张伟", f"99{attempt}", now=datetime.now(UTC),
                                  channel="api", limiter=limiter)
            assert result.outcome is BindOutcome.NO_MATCH
    assert "已暂停绑定" in talk("o-x", "绑定 张伟 000")
    assert "已暂停绑定" in talk("o-x", "绑定 张伟 2012010101")
    assert [e.channel for e in events(runtime, "failed")] == ["api"] * 4 + ["bot"]


def test_claim_on_a_record_bound_to_someone_else_is_refused_and_staff_are_alerted(
        talk, runtime, roster):
    assert talk("o-owner", "绑定 张伟 2012010101").startswith("绑定成功")
    assert talk("o-claimer", "绑定 张伟 2012010101") == TAKEN
    assert record(runtime, roster["zhangwei"]).wechat_user_id == user_id(runtime, "o-owner")
    [refused] = events(runtime, "refused")
    assert refused.wechat_user_id == user_id(runtime, "o-claimer")
    assert refused.alumnus_id == roster["zhangwei"]
    with runtime.sessions() as session:
        [alert] = session.scalars(select(StaffAlert)).all()
    assert alert.kind == "binding_conflict" and "2012010101" in alert.message
    assert alert.resolved_at is None


def test_binding_a_record_already_held_says_so(talk, runtime, roster):
    talk("o-zw", "绑定 张伟 2012010101")
    assert "已绑定在您的微信上" in talk("o-zw", "绑定 张伟 2012010101")
    assert len(events(runtime, "bound")) == 1


def test_a_second_record_of_the_same_person_binds_and_keeps_the_privacy_chosen(talk, runtime, roster):
    talk("o-zw", "绑定 张伟 2012010101")
    talk("o-zw", "隐私 公开")
    assert "另一段学籍" in talk("o-zw", "绑定")
    talk("o-zw", "张伟")
    assert talk("o-zw", "2015110101").startswith("绑定成功！欢迎您，张伟校友（硕士 2015届")
    uid = user_id(runtime, "o-zw")
    both = [record(runtime, roster["zhangwei"]), record(runtime, roster["zhangwei_ms"])]
    assert [r.wechat_user_id for r in both] == [uid, uid]
    assert [r.privacy for r in both] == ["public", "public"]


def test_a_user_cannot_bind_records_of_someone_of_another_name(talk, runtime, roster):
    talk("o-zw", "绑定 张伟 2012010101")
    assert "只能绑定本人的学籍" in talk("o-zw", "绑定 李娜 2013020202")
    assert record(runtime, roster["lina"]).wechat_user_id is None
    assert events(runtime, "failed") == []


def test_unbind_one_record_by_student_id_then_all(talk, runtime, roster):
    talk("o-zw", "绑定 张伟 2012010101")
    talk("o-zw", "绑定 张伟 2015110101")
    assert "没有学号 2099" in talk("o-zw", "解绑 2099")
    reply = talk("o-zw", "解绑 2015110101")
    assert "已解除绑定" in reply and "2015110101" in reply and "2012010101" not in reply
    assert record(runtime, roster["zhangwei_ms"]).wechat_user_id is None
    assert record(runtime, roster["zhangwei"]).wechat_user_id is not None
    assert "2012010101" in talk("o-zw", "解绑")
    assert record(runtime, roster["zhangwei"]).wechat_user_id is None
    assert [e.alumnus_id for e in events(runtime, "unbound")] == [roster["zhangwei_ms"], roster["zhangwei"]]
    assert talk("o-zw", "解绑") == "您还没有绑定校友身份，无需解绑。"
    assert "请先认证校友身份" in talk("o-zw", "我的")


def test_an_unbound_record_can_be_bound_by_another_user(talk, runtime, roster):
    talk("o-old", "绑定 张伟 2012010101")
    talk("o-old", "解绑")
    assert talk("o-new", "绑定 张伟 2012010101").startswith("绑定成功")
    assert record(runtime, roster["zhangwei"]).wechat_user_id == user_id(runtime, "o-new")


def _users(runtime, *openids) -> list[int]:
    with runtime.sessions.begin() as session:
        users = [WechatUser(openid=o, created_at=IMPORTED) for o in openids]
        session.add_all(users)
        session.flush()
        return [u.id for u in users]


def test_a_claim_decided_on_a_stale_read_loses_to_the_committed_one(runtime, config, roster):
    """Not check-then-set: the claim is an UPDATE … WHERE wechat_user_id IS NULL."""
    first, second = _users(runtime, "o-1", "o-2")
    limiter = binding_lockout(runtime.store, directory_settings(config))
    now = datetime.now(UTC)
    with runtime.sessions() as late:
        stale = late.get(Alumnus, roster["zhangwei"])  # read while still unbound
        assert stale.wechat_user_id is None
        with runtime.sessions.begin() as early:
            won = bind_alumnus(early, early.get(WechatUser, first), "张伟", "2012010101", now=now,
                               channel="bot", limiter=limiter)
        lost = bind_alumnus(late, late.get(WechatUser, second), "张伟", "2012010101", now=now,
                            channel="api", limiter=limiter)
        late.commit()
    assert won.outcome is BindOutcome.BOUND and lost.outcome is BindOutcome.TAKEN
    assert record(runtime, roster["zhangwei"]).wechat_user_id == first
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StaffAlert)) == 1


def test_concurrent_claims_on_one_record_have_exactly_one_winner(runtime, config, roster):
    users = _users(runtime, *(f"o-race-{i}" for i in range(4)))
    limiter = binding_lockout(runtime.store, directory_settings(config))
    start = threading.Barrier(len(users))
    outcomes = []

    def claim(uid):
        with runtime.sessions.begin() as session:
            user = session.get(WechatUser, uid)
            start.wait()
            outcomes.append(bind_alumnus(session, user, "张伟", "2012010101", now=datetime.now(UTC),
                                         channel="bot", limiter=limiter).outcome)

    threads = [threading.Thread(target=claim, args=(uid,)) for uid in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted([BindOutcome.BOUND] + [BindOutcome.TAKEN] * 3)
    assert record(runtime, roster["zhangwei"]).wechat_user_id in users
    assert len(events(runtime, "bound")) == 1 and len(events(runtime, "refused")) == 3


# --- what the message log keeps of binding: the roster's two checks masked ---

def logged(runtime, openid) -> list[str]:
    runtime.inbox.flush()
    with runtime.sessions() as session:
        return list(session.scalars(select(MessageLog.content).where(MessageLog.openid == openid)
                                    .order_by(MessageLog.id)))


def test_the_message_log_keeps_a_bind_command_with_name_and_student_id_masked(talk, runtime, roster):
    assert talk("o-zw", "绑定 张伟 2012010101").startswith("绑定成功")
    talk("o-zw", "帮助")
    assert logged(runtime, "o-zw") == ["绑定 张* 201****101", "帮助"]


def test_the_message_log_keeps_the_bind_dialogs_answers_masked(talk, runtime, roster):
    talk("o-zw", "绑定")
    talk("o-zw", "张伟")
    assert talk("o-zw", "2015110101").startswith("绑定成功")
    assert logged(runtime, "o-zw") == ["绑定", "张*", "201****101"]
    talk("o-hasty", "绑定")
    talk("o-hasty", "2012010101")  # the student ID typed where the name was asked
    assert logged(runtime, "o-hasty") == ["绑定", "201****101"]


@pytest.mark.parametrize(("typed", "kept"), [
    ("绑定　张　伟，２０１２０１０１０１", "绑定 张 * 201****101"),
    ("bind 阿依·古丽 S2014001", "bind 阿* ** s2****01"),
    ("绑定张伟2012010101", "绑定张* 201****101"),
    ("绑定 张伟2012#0101", "绑定 张" + "*" * 10),  # no name + ID to the handler: masked as a name
    ("绑定 张伟 201201010199", "绑定 张* 2012****0199"),
    ("绑定 张伟 12345", "绑定 张* ****"),
    ("解绑 2012010101", "解绑 201****101"),
])
def test_every_way_of_typing_a_student_id_is_logged_masked(talk, runtime, roster, typed, kept):
    talk("o-x", typed)
    assert logged(runtime, "o-x") == [kept]
