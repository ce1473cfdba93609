"""The chapter commands through the real webhook: 分会 and its dialog, a location message, the
CHAPTER_FIND button, 加入分会 and 我的班级."""

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from menus.keys import MenuKey
from models import StaffAlert, WechatUser
from models.chapter import ChapterMember
from tests.chapters.support import add_alumnus, add_user, bound_user
from tests.wechat import ACCOUNT, click_xml, event_xml, post, reply_content, say


def location_xml(openid: str, lat: float, lng: float, label: str = "") -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[location]]>"
            f"</MsgType><Location_X>{lat}</Location_X><Location_Y>{lng}</Location_Y><Scale>15</Scale>"
            f"<Label><![CDATA[{label}]]></Label><MsgId>{time.time_ns()}</MsgId></xml>")


def send_location(client, token, openid, lat, lng) -> str:
    response = post(client, token, location_xml(openid, lat, lng))
    assert response.status_code == 200
    return reply_content(response.get_data(as_text=True))


# --- 分会 -------------------------------------------------------------------------------------

def test_chapter_with_a_city_lists_its_chapter_liaison_contact_and_members(client, config, world):
    reply = say(client, config.wechat.token, "o-city", "分会 苏州")
    assert "苏州的校友分会" in reply
    assert f"[{world['苏州校友会']}] 苏州校友会（苏州）" in reply
    assert "联络员：张伟 微信 zhangwei_sz" in reply
    assert "成员 0 人" in reply
    assert "加入分会 编号" in reply


def test_chapter_with_a_province_lists_every_chapter_in_it(client, config, world):
    reply = say(client, config.wechat.token, "o-prov", "分会 江苏")
    assert "苏州校友会" in reply and "南京校友会" in reply and "上海校友会" not in reply
    assert "联络员：李娜 13900000003；赵磊 13900000004" in reply


def test_chapter_with_an_industry_word(client, config, world):
    reply = say(client, config.wechat.token, "o-ind", "分会 金融")
    assert "金融行业校友会（行业）" in reply and "周敏 13900000011" in reply


def test_chapter_without_a_chapter_there_shows_the_nearest_with_distances(client, config, world):
    reply = say(client, config.wechat.token, "o-wuxi", "分会 无锡")
    assert "无锡暂无校友分会，离无锡最近的是：" in reply   # no "共 10 个": every chapter is "near"
    assert reply.index("苏州校友会") < reply.index("上海校友会") < reply.index("南京校友会")
    assert "公里" in reply


def test_chapter_with_an_unknown_word_says_so(client, config, world):
    assert "没有找到与「火星基地」相关的分会" in say(client, config.wechat.token, "o-x", "分会 火星基地")


def test_chapter_alone_asks_then_a_city_answer_lists_and_ends_the_dialog(client, config, world):
    token = config.wechat.token
    assert "您想找哪里的校友分会" in say(client, token, "o-dlg", "分会")
    reply = say(client, token, "o-dlg", "纽约")
    assert "纽约校友会" in reply and "ny@alumni.example" in reply
    assert "没有听懂" in say(client, token, "o-dlg", "纽约")   # the dialog is over


def test_the_dialog_keeps_asking_until_something_is_found(client, config, world):
    token = config.wechat.token
    say(client, token, "o-dlg2", "分会")
    assert "没有找到与「火星」相关的分会" in say(client, token, "o-dlg2", "火星")
    assert "伦敦校友会" in say(client, token, "o-dlg2", "London")
    assert "当前没有进行中的操作" in say(client, token, "o-dlg2", "取消")   # the dialog ended


def test_the_dialog_can_be_cancelled(client, config, world):
    token = config.wechat.token
    say(client, token, "o-dlg3", "分会")
    assert "已退出" in say(client, token, "o-dlg3", "取消")


def test_the_chapter_button_asks_like_the_keyword(client, config, world):
    response = post(client, config.wechat.token, click_xml("o-menu", MenuKey.CHAPTER_FIND))
    assert "您想找哪里的校友分会" in reply_content(response.get_data(as_text=True))
    assert "上海校友会" in say(client, config.wechat.token, "o-menu", "上海")


def test_a_location_select_button_with_the_chapter_key_lists_the_nearest(client, config, world):
    extra = (f"<EventKey><![CDATA[{MenuKey.CHAPTER_FIND}]]></EventKey><SendLocationInfo>"
             "<Location_X>-33.87</Location_X><Location_Y>151.21</Location_Y><Scale>15</Scale>"
             "<Label>Sydney</Label><Poiname></Poiname></SendLocationInfo>")
    response = post(client, config.wechat.token, event_xml("o-sel", "location_select", extra))
    reply = reply_content(response.get_data(as_text=True))
    assert "离您最近的校友分会" in reply and "悉尼校友会" in reply.split("\n")[1]


def test_a_location_message_lists_the_nearest_chapters_with_distances(client, config, runtime, world):
    reply = send_location(client, config.wechat.token, "o-loc", 31.2304, 121.4737)   # 上海人民广场
    assert "离您最近的校友分会" in reply
    assert reply.index("上海校友会") < reply.index("苏州校友会") < reply.index("南京校友会")
    assert "上海校友会（上海 · 约" in reply or "上海校友会（上海 · 不到 1 公里）" in reply
    assert "苏州校友会（苏州 · 约 8" in reply                                         # about 85 km
    with runtime.sessions() as session:
        user = session.scalars(select(WechatUser).where(WechatUser.openid == "o-loc")).one()
        assert (user.last_latitude, user.last_longitude) == (31.2304, 121.4737)


def test_a_location_answers_the_open_dialog_too(client, config, world):
    token = config.wechat.token
    say(client, token, "o-dlgloc", "分会")
    assert "纽约校友会" in send_location(client, token, "o-dlgloc", 40.75, -73.99).split("\n")[1]
    assert "没有听懂" in say(client, token, "o-dlgloc", "苏州")   # the location ended the dialog


def test_a_location_in_the_pacific_still_lists_chapters_far_away(client, config, world):
    reply = send_location(client, config.wechat.token, "o-pac", 0.0, -160.0)
    first = reply.split("\n")[1]
    assert "旧金山湾区校友会" in first and "公里" in first


def test_chapter_alone_uses_a_fresh_reported_location(client, config, runtime, world):
    with runtime.sessions.begin() as session:
        user = add_user(session, "o-fresh")
        user.report_location(51.5, -0.12, datetime.now(UTC) - timedelta(hours=1))
    reply = say(client, config.wechat.token, "o-fresh", "分会")
    assert "离您最近的校友分会（按您最近上报的位置）" in reply
    assert reply.split("\n")[1].startswith(f"[{world['伦敦校友会']}] 伦敦校友会")


def test_an_old_reported_location_is_not_used(client, config, runtime, world):
    with runtime.sessions.begin() as session:
        user = add_user(session, "o-stale")
        user.report_location(51.5, -0.12, datetime.now(UTC) - timedelta(days=3))
    assert "您想找哪里的校友分会" in say(client, config.wechat.token, "o-stale", "分会")


# --- 加入分会 -----------------------------------------------------------------------------------

def test_joining_needs_a_bound_alumnus(client, config, runtime, world):
    reply = say(client, config.wechat.token, "o-unbound", f"加入分会 {world['苏州校友会']}")
    assert "需要先认证校友身份" in reply
    with runtime.sessions() as session:
        assert session.scalars(select(ChapterMember)).all() == []


def test_a_bound_alumnus_joins_and_the_liaison_is_told(client, config, runtime, world):
    bound_user(runtime, "o-join", name="钱多多", year=2016)
    number = world["苏州校友会"]
    assert "您已加入苏州校友会" in say(client, config.wechat.token, "o-join", f"加入分会 {number}")
    assert "成员 1 人" in say(client, config.wechat.token, "o-other", "分会 苏州")
    with runtime.sessions() as session:
        alert = session.scalars(select(StaffAlert).where(StaffAlert.kind == "chapter_join")).one()
        assert "钱多多（2016届 计算机学院）" in alert.message and "张伟" in alert.message


def test_joining_twice_says_so(client, config, runtime, world):
    bound_user(runtime, "o-twice")
    token, number = config.wechat.token, world["纽约校友会"]
    say(client, token, "o-twice", f"加入分会 {number}")
    assert "您已经是纽约校友会的成员了" in say(client, token, "o-twice", f"加入分会 {number}")
    with runtime.sessions() as session:
        assert len(session.scalars(select(ChapterMember)).all()) == 1


def test_joining_an_unknown_chapter_number(client, config, runtime, world):
    bound_user(runtime, "o-unknown")
    assert "没有编号为 9999 的分会" in say(client, config.wechat.token, "o-unknown", "加入分会 9999")


def test_joining_by_the_exact_name_and_without_a_number(client, config, runtime, world):
    bound_user(runtime, "o-name")
    token = config.wechat.token
    assert "您已加入伦敦校友会" in say(client, token, "o-name", "加入分会 伦敦校友会")
    assert "请在「加入分会」后写上分会编号" in say(client, token, "o-name", "加入分会")


# --- 我的班级 -----------------------------------------------------------------------------------

def test_my_class_needs_a_bound_alumnus(client, config, world):
    assert "需要先认证校友身份" in say(client, config.wechat.token, "o-noclass", "我的班级")


def test_my_class_shows_the_ambassador_and_the_reunion_year(client, config, runtime):
    from handlers.chapters.classes import appoint_ambassador

    reunion_year = datetime.now(UTC).year - 10
    with runtime.sessions.begin() as session:
        ambassador = add_alumnus(session, "A1", "孙班长", reunion_year)
        appoint_ambassador(session, ambassador, now=datetime.now(UTC), contact="微信 sun_bz")
        classmate = add_user(session, "o-classmate")
        add_alumnus(session, "A2", "周同学", reunion_year, user=classmate)
    bound_user(runtime, "o-class", name="吴同学", year=reunion_year)
    reply = say(client, config.wechat.token, "o-class", "我的班级")
    assert f"我的班级：计算机学院 {reunion_year}届 计科1班（本科）" in reply
    assert "班级联络人：孙班长 微信 sun_bz" in reply
    assert "已在公众号认证的同学：1 人" in reply
    assert "今年是毕业 10 周年，可预约秩年返校" in reply


def test_my_class_without_an_ambassador(client, config, runtime):
    year = datetime.now(UTC).year - 13
    bound_user(runtime, "o-noamb", year=year)
    reply = say(client, config.wechat.token, "o-noamb", "我的班级")
    assert "班级联络人：暂无" in reply
    assert f"今年不是秩年；下一次是 {year + 20} 年（毕业 20 周年）" in reply


def test_a_class_without_its_own_ambassador_gets_the_college_years(client, config, runtime):
    from handlers.chapters.classes import appoint_ambassador

    year = datetime.now(UTC).year - 5
    with runtime.sessions.begin() as session:
        head = add_alumnus(session, "B1", "郑年级长", year, class_name="计科2班")
        appoint_ambassador(session, head, now=datetime.now(UTC), whole_year=True)
    bound_user(runtime, "o-cohort", year=year)
    assert "年级联络人：郑年级长" in say(client, config.wechat.token, "o-cohort", "我的班级")


def test_joining_a_number_too_large_for_any_chapter(client, config, runtime, world):
    bound_user(runtime, "o-huge")
    reply = say(client, config.wechat.token, "o-huge", "加入分会 99999999999999")
    assert "没有编号为 99999999999999 的分会" in reply
