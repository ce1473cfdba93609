"""隐私 and 我的 through the bot, and the privacy and profile services the API will call."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from handlers.directory.binding import NotBound
from handlers.directory.privacy import ProfileError, parse_privacy, set_privacy, update_profile
from handlers.directory.profile import mask_phone, my_profile
from menus.keys import MenuKey
from models import Alumnus, Privacy, WechatUser
from tests.roster import add_alumnus
from tests.wechat import click_xml, post, reply_content, say

IMPORTED = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
PHONE, EMAIL = "13812345678", "zhangwei@example.com"




@pytest.fixture
def roster(runtime):
    with runtime.sessions.begin() as session:
        return {
            "zhangwei": add_alumnus(session, "2012010101", "张伟", 2012, phone=PHONE, email=EMAIL,
                                    city="上海", employer="甲公司", industry="互联网",
                                    class_name="软件1201班"),
            "zhangwei_ms": add_alumnus(session, "2015110101", "张伟", 2015, degree="硕士",
                                       major="人工智能"),
            "classmate": add_alumnus(session, "2012010102", "王芳", 2012),
            "other_college": add_alumnus(session, "2012030303", "刘洋", 2012, college="经济学院"),
            "other_year": add_alumnus(session, "2013010101", "陈静", 2013),
        }


@pytest.fixture
def talk(client, config):
    return lambda openid, text: say(client, config.wechat.token, openid, text)


def privacy_of(runtime, alumnus_id) -> str:
    with runtime.sessions() as session:
        return session.get(Alumnus, alumnus_id).privacy


def test_privacy_alone_shows_the_current_setting_and_what_each_level_means(talk, roster):
    talk("o-zw", "绑定 张伟 2012010101")
    reply = talk("o-zw", "隐私")
    assert reply.startswith("您当前的隐私设置：同学（只有同学院、同届的校友能查到您）")
    for line in ("· 公开：所有已认证的校友都能查到您", "· 同学：只有同学院、同届的校友能查到您（默认）",
                 "· 隐藏：任何人都查不到您", "「隐私 公开」"):
        assert line in reply


@pytest.mark.parametrize(("typed", "stored", "said"), [
    ("隐私 公开", "public", "已将隐私设置为「公开」"),
    ("隐私 隐藏", "hidden", "已将隐私设置为「隐藏」"),
    ("隐私 同学", "classmates", "已将隐私设置为「同学」"),
    ("privacy public", "public", "「公开」"),
    ("Privacy Hidden", "hidden", "「隐藏」"),
    ("privacy classmates", "classmates", "「同学」"),
    ("隐私：公开！", "public", "「公开」"),
])
def test_privacy_levels_in_chinese_and_english(talk, runtime, roster, typed, stored, said):
    talk("o-zw", "绑定 张伟 2012010101")
    assert said in talk("o-zw", typed)
    assert privacy_of(runtime, roster["zhangwei"]) == stored


def test_privacy_applies_to_every_record_of_the_user(talk, runtime, roster):
    talk("o-zw", "绑定 张伟 2012010101")
    talk("o-zw", "绑定 张伟 2015110101")
    talk("o-zw", "隐私 隐藏")
    assert privacy_of(runtime, roster["zhangwei"]) == privacy_of(runtime, roster["zhangwei_ms"]) == "hidden"
    assert talk("o-zw", "隐私").startswith("您当前的隐私设置：隐藏")


def test_an_unknown_privacy_word_explains_the_choices(talk, runtime, roster):
    talk("o-zw", "绑定 张伟 2012010101")
    assert "没有「朋友」这个选项" in talk("o-zw", "隐私 朋友")
    assert privacy_of(runtime, roster["zhangwei"]) == "classmates"


def test_unbound_users_are_told_to_bind_first(talk, roster):
    for text in ("隐私", "隐私 公开", "我的"):
        assert talk("o-new", text).startswith("请先认证校友身份")


def test_my_profile_shows_records_details_privacy_and_the_phone_masked(talk, roster):
    talk("o-zw", "绑定 张伟 2012010101")
    talk("o-zw", "绑定 张伟 2015110101")
    reply = talk("o-zw", "我的")
    assert reply.startswith("张伟校友，您的资料：")
    assert "· 本科 2012届 计算机学院 软件工程 软件1201班（学号 2012010101）" in reply
    assert "· 硕士 2015届 计算机学院 人工智能（学号 2015110101）" in reply
    assert "所在城市：上海" in reply and "工作单位：甲公司" in reply and "行业：互联网" in reply
    assert "手机：138****5678（仅您本人可见）" in reply
    assert "隐私：同学" in reply
    assert PHONE not in reply and EMAIL not in reply


def test_profile_menu_button_shows_the_same(client, config, talk, roster):
    talk("o-zw", "绑定 张伟 2012010101")
    response = post(client, config.wechat.token, click_xml("o-zw", MenuKey.PROFILE))
    assert reply_content(response.get_data(as_text=True)) == talk("o-zw", "我的")


def _user(session, openid="o-zw") -> WechatUser:
    return session.scalars(select(WechatUser).where(WechatUser.openid == openid)).one()


def test_self_updated_details_show_in_my_profile_and_clear_back_to_the_roster(talk, runtime, roster):
    talk("o-zw", "绑定 张伟 2012010101")
    with runtime.sessions.begin() as session:
        records = update_profile(session, _user(session), city="  深圳 ", employer="乙公司")
        assert [r.profile_city for r in records] == ["深圳"]
    reply = talk("o-zw", "我的")
    assert "所在城市：深圳" in reply and "工作单位：乙公司" in reply and "行业：互联网" in reply
    with runtime.sessions.begin() as session:
        update_profile(session, _user(session), city=None, employer="")
        record = session.get(Alumnus, roster["zhangwei"])
        assert (record.profile_city, record.profile_employer) == (None, None)
        assert record.city == "上海"  # the roster's own column was never touched
    assert "所在城市：上海" in talk("o-zw", "我的")


def test_profile_updates_are_checked_and_need_a_binding(talk, runtime, roster):
    talk("o-zw", "绑定 张伟 2012010101")
    talk("o-new", "我的")
    with runtime.sessions.begin() as session:
        with pytest.raises(ProfileError, match="工作单位太长了"):
            update_profile(session, _user(session), employer="很" * 129)
        with pytest.raises(NotBound):
            update_profile(session, _user(session, "o-new"), city="北京")
        with pytest.raises(NotBound):
            set_privacy(session, _user(session, "o-new"), Privacy.PUBLIC)


def test_profile_service_for_an_unbound_user_is_empty(talk, runtime, roster):
    talk("o-new", "我的")
    with runtime.sessions() as session:
        profile = my_profile(session, _user(session, "o-new"))
    assert not profile.bound and profile.records == () and profile.phone_masked is None


def test_phone_masking_and_privacy_words():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "+86****5678"
    assert mask_phone("12345") == "*****"
    assert mask_phone(None) is None
    assert parse_privacy("公开") is Privacy.PUBLIC and parse_privacy("HIDDEN") is Privacy.HIDDEN
    assert parse_privacy("朋友") is None


# --- who finds whom: each level seen from a classmate, another college, another year, unbound ---

SEARCHERS = {  # openid -> the record it binds
    "o-classmate": ("王芳", "2012010102"),
    "o-other-college": ("刘洋", "2012030303"),
    "o-other-year": ("陈静", "2013010101"),
}


@pytest.mark.parametrize(("level", "found_by"), [
    ("公开", {"o-classmate", "o-other-college", "o-other-year"}),
    ("同学", {"o-classmate"}),
    ("隐藏", set()),
])
def test_each_privacy_level_seen_from_classmate_other_college_other_year_and_unbound(
        talk, roster, level, found_by):
    talk("o-zw", "绑定 张伟 2012010101")
    talk("o-zw", f"隐私 {level}")
    for openid, (name, student_id) in SEARCHERS.items():
        talk(openid, f"绑定 {name} {student_id}")
    for openid in SEARCHERS:
        reply = talk(openid, "查找 张伟 2012")
        assert ("张伟（本科 2012届）" in reply) is (openid in found_by), (level, openid, reply)
        assert PHONE not in reply and EMAIL not in reply
    assert talk("o-unbound", "查找 张伟").startswith("请先认证校友身份")
