"""The circles through the webhook: 校友圈 shows one's class circle without anyone creating it,
joining and leaving, proposing, members listed under search's privacy rule (a hidden alumnus is
not listed, phone and e-mail never shown), and a circle admin's rights that a member lacks."""

from __future__ import annotations

from sqlalchemy import select

from models import Privacy
from models.circle import Circle, CircleKind, CircleStatus
from tests.circles.support import alumnus, interest_circle, pushes
from tests.wechat import say


def _say(client, config, openid, text):
    return say(client, config.wechat.token, openid, text)


def test_my_class_circle_is_there_without_anyone_creating_it(client, config, runtime):
    with runtime.sessions.begin() as session:
        alumnus(session, "李雷", openid="o-li")
        alumnus(session, "韩梅梅", openid="o-han")
        alumnus(session, "王芳", college="外国语学院", openid="o-wang")
    answer = _say(client, config, "o-li", "校友圈")
    assert "我的校友圈" in answer and "计算机学院 2016届（班级圈 · 2 人）" in answer
    assert "加入校友圈 编号" in answer and "创建校友圈" in answer
    with runtime.sessions() as session:
        circle = session.scalars(select(Circle)).one()
        assert (circle.kind, circle.college, circle.graduation_year) == (CircleKind.CLASS, "计算机学院", 2016)


def test_an_unbound_follower_is_told_to_bind_first(client, config):
    answer = _say(client, config, "o-stranger", "校友圈")
    assert "绑定 姓名 学号" in answer
    assert "绑定 姓名 学号" in _say(client, config, "o-stranger", "创建校友圈 摄影")


def test_join_and_leave_an_interest_circle(client, config, runtime):
    with runtime.sessions.begin() as session:
        admin = alumnus(session, "李雷")
        alumnus(session, "韩梅梅", year=2012, college="经济学院", openid="o-han")
        circle_id = interest_circle(session, admin).id
    assert f"[{circle_id}] 羽毛球（兴趣圈 · 1 人）" in _say(client, config, "o-han", "校友圈")
    assert "您已加入「羽毛球」" in _say(client, config, "o-han", f"加入校友圈 {circle_id}")
    assert "您已经在「羽毛球」里了" in _say(client, config, "o-han", f"加入校友圈{circle_id}")
    assert f"[{circle_id}] 羽毛球（兴趣圈 · 2 人）" in _say(client, config, "o-han", "校友圈")
    assert "您已退出「羽毛球」" in _say(client, config, "o-han", f"退出校友圈 {circle_id}")
    assert "您不在「羽毛球」里" in _say(client, config, "o-han", f"退出校友圈 {circle_id}")
    assert "您已加入「羽毛球」" in _say(client, config, "o-han", f"加入校友圈 {circle_id}")
    assert "没有编号为 999 的校友圈" in _say(client, config, "o-han", "加入校友圈 999")


def test_anyone_can_leave_their_class_circle_and_come_back(client, config, runtime):
    with runtime.sessions.begin() as session:
        alumnus(session, "李雷", openid="o-li")
        alumnus(session, "韩梅梅", openid="o-han")
        alumnus(session, "王芳", college="外国语学院", openid="o-wang")
    _say(client, config, "o-li", "校友圈")
    with runtime.sessions() as session:
        circle_id = session.scalar(select(Circle.id))
    assert "您已退出「计算机学院 2016届」" in _say(client, config, "o-han", f"退出校友圈 {circle_id}")
    assert "（班级圈 · 1 人）" in _say(client, config, "o-li", "校友圈")
    assert f"可加入的校友圈：\n[{circle_id}] 计算机学院 2016届" in _say(client, config, "o-han", "校友圈")
    assert "您已加入" in _say(client, config, "o-han", f"加入校友圈 {circle_id}")
    assert "只有该学院该届的校友可以加入" in _say(client, config, "o-wang", f"加入校友圈 {circle_id}")


def test_a_proposal_waits_for_staff_and_a_name_in_use_is_refused(client, config, runtime):
    with runtime.sessions.begin() as session:
        alumnus(session, "李雷", openid="o-li")
        alumnus(session, "韩梅梅", openid="o-han")
    answer = _say(client, config, "o-li", "创建校友圈 摄影 周末扫街")
    assert "已提交创建「摄影」的申请" in answer and "审核后会通知您" in answer
    with runtime.sessions() as session:
        circle = session.scalars(select(Circle).where(Circle.name == "摄影")).one()
        assert (circle.status, circle.intro) == (CircleStatus.PENDING, "周末扫街")
    assert "已有名为「摄影」的校友圈" in _say(client, config, "o-han", "创建校友圈 摄影")
    assert "摄影" not in _say(client, config, "o-han", "校友圈")  # not listed before approval
    assert "请在「创建校友圈」后写上圈子的名称" in _say(client, config, "o-han", "创建校友圈")


def test_a_hidden_alumnus_is_not_listed_and_no_phone_or_email_ever_is(client, config, runtime):
    with runtime.sessions.begin() as session:
        viewer = alumnus(session, "李雷", openid="o-li")
        classmate = alumnus(session, "韩梅梅", city="南京")
        hidden = alumnus(session, "隐士", privacy=Privacy.HIDDEN)
        stranger = alumnus(session, "陌生人", year=2010, college="经济学院")  # 同学: not my class
        public = alumnus(session, "公开者", year=2010, college="经济学院", privacy=Privacy.PUBLIC)
        circle_id = interest_circle(session, viewer, "创业", classmate, hidden, stranger, public).id
    answer = _say(client, config, "o-li", f"圈成员 {circle_id}")
    assert "韩梅梅" in answer and "公开者" in answer and "李雷" in answer and "南京" in answer
    assert "隐士" not in answer and "陌生人" not in answer
    assert "另有 2 位按隐私设置不公开" in answer
    assert "1380000" not in answer and "@example.com" not in answer


def test_only_members_see_the_member_list(client, config, runtime):
    with runtime.sessions.begin() as session:
        admin = alumnus(session, "李雷")
        alumnus(session, "韩梅梅", openid="o-han")
        circle_id = interest_circle(session, admin).id
    assert "只有「羽毛球」的成员才能查看成员名单" in _say(client, config, "o-han", f"圈成员 {circle_id}")


def test_a_member_who_is_no_admin_can_neither_post_nor_remove(client, config, runtime):
    with runtime.sessions.begin() as session:
        admin = alumnus(session, "李雷")
        member = alumnus(session, "韩梅梅", openid="o-han")
        other = alumnus(session, "王芳")
        circle_id = interest_circle(session, admin, "羽毛球", member, other).id
    assert "只有「羽毛球」的圈管理员可以这样做" in _say(client, config, "o-han", f"圈通知 {circle_id} 周六见")
    assert "只有「羽毛球」的圈管理员可以这样做" in _say(client, config, "o-han", f"移出圈成员 {circle_id} 王芳")
    with runtime.sessions() as session:
        assert pushes(session, "circles:notice") == []
    assert "王芳" in _say(client, config, "o-han", f"圈成员 {circle_id}")


def test_a_circle_admin_removes_a_member_who_cannot_come_back_alone(client, config, runtime):
    with runtime.sessions.begin() as session:
        admin = alumnus(session, "李雷", openid="o-li")
        member = alumnus(session, "韩梅梅", openid="o-han")
        circle_id = interest_circle(session, admin, "羽毛球", member).id
    assert "不能移出自己" in _say(client, config, "o-li", f"移出圈成员 {circle_id} 李雷")
    assert "已将 韩梅梅 移出「羽毛球」" in _say(client, config, "o-li", f"移出圈成员 {circle_id} 韩梅梅")
    assert "韩梅梅" not in _say(client, config, "o-li", f"圈成员 {circle_id}")
    assert "不能自行重新加入" in _say(client, config, "o-han", f"加入校友圈 {circle_id}")
    with runtime.sessions() as session:
        told = pushes(session, "circles:removed")
        assert len(told) == 1 and "您已被圈管理员移出校友圈「羽毛球」" in told[0].text
