"""信息采集 through the bot: 修改资料 and 修改 城市 南京 write the alumnus's own fields, as PATCH /me does."""

import pytest

from models import Alumnus
from tests.roster import add_alumnus
from tests.wechat import say


@pytest.fixture
def talk(client, config):
    return lambda text, openid="o-zw": say(client, config.wechat.token, openid, text)


@pytest.fixture
def zhangwei(runtime, talk):
    with runtime.sessions.begin() as session:
        record = add_alumnus(session, "2012010101", "张伟", 2012, city="上海", employer="甲公司")
    assert talk("绑定 张伟 2012010101").startswith("绑定成功")
    return record


def stored(runtime, alumnus_id) -> Alumnus:
    with runtime.sessions() as session:
        return session.get(Alumnus, alumnus_id)


def test_the_profile_offers_the_edit_dialog(talk, zhangwei):
    assert "发送「修改资料」" in talk("我的")


def test_the_dialog_asks_which_field_then_the_value_and_keeps_the_roster_value_apart(
        talk, runtime, zhangwei):
    asked = talk("修改资料")
    assert "1. 所在城市（现在：上海）" in asked and "2. 工作单位（现在：甲公司）" in asked
    assert talk("1") == "请输入新的所在城市；回复「清除」可恢复为学籍中的信息，发送「取消」退出。"
    assert talk("南京") == "已将所在城市更新为「南京」。发送「我的」查看资料。"
    record = stored(runtime, zhangwei)
    assert (record.profile_city, record.city) == ("南京", "上海")
    assert "所在城市：南京" in talk("我的")


def test_a_field_named_in_the_dialog_with_its_value_is_saved_at_once(talk, runtime, zhangwei):
    talk("修改资料")
    assert "已将行业更新为「互联网」" in talk("行业 互联网")
    assert stored(runtime, zhangwei).profile_industry == "互联网"


def test_an_answer_that_is_no_field_is_asked_again(talk, zhangwei):
    talk("修改资料")
    assert talk("生日") == "请回复 1、2 或 3 选择要修改的项目；发送「取消」退出。"
    assert "已退出" in talk("取消")


def test_one_line_edit_keeps_the_case_the_alumnus_typed(talk, runtime, zhangwei):
    assert talk("修改 单位：IBM 中国") == "已将工作单位更新为「IBM 中国」。发送「我的」查看资料。"
    assert "工作单位：IBM 中国" in talk("我的")


def test_clearing_stores_null_and_the_roster_value_shows_again(talk, runtime, zhangwei):
    talk("修改 城市 南京")
    assert talk("修改 城市 清除") == "已清除您填写的所在城市，将显示学籍中的信息。发送「我的」查看资料。"
    assert stored(runtime, zhangwei).profile_city is None
    assert "所在城市：上海" in talk("我的")


def test_a_field_without_a_value_asks_for_it(talk, runtime, zhangwei):
    assert "请输入新的工作单位" in talk("修改 单位")
    assert "已将工作单位更新为「乙研究院」" in talk("乙研究院")


def test_a_value_too_long_is_refused_and_asked_again(talk, runtime, zhangwei):
    talk("修改 城市")
    assert "所在城市太长了" in talk("长" * 65)
    assert "已将所在城市更新为「苏州」" in talk("苏州")


def test_unknown_fields_and_strangers_are_told_what_works(talk):
    assert "请先认证校友身份" in talk("修改 城市 南京", "o-stranger")


def test_an_unknown_field_is_explained(talk, zhangwei):
    assert "没有「生日」这一项" in talk("修改 生日 1990")
