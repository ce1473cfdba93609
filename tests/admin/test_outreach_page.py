"""秩年邀请 (/admin/reunion-outreach/): this year's and next year's anniversary classes with their
roster counts, who was invited and who booked, and the one-step invitation (a push in category
返校 to the class's bound alumni), audited."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from models import AuditEntry, StaffRole
from models.outreach import AnniversaryOutreach
from models.push import Delivery, Push
from models.reunion import BookingStatus
from tests.admin.support import add_account, add_alumnus, csrf_token, login
from tests.reunion.support import add_booking

PAGE = "/admin/reunion-outreach/"
THIS_YEAR = dt.datetime.now(ZoneInfo("Asia/Shanghai")).year   # the page reads the real clock
TENTH = THIS_YEAR - 10          # 10 years this year
NEXT_TENTH = THIS_YEAR + 1 - 10  # 10 years next year
NOW = dt.datetime.now(dt.UTC)


def roster(runtime) -> dict[str, int]:
    with runtime.sessions.begin() as session:
        contact = add_alumnus(session, "张伟", year=TENTH, bound_at=NOW)
        add_alumnus(session, "李娜", year=TENTH, bound_at=NOW)
        add_alumnus(session, "王芳", year=TENTH)
        add_alumnus(session, "赵六", year=TENTH, college="经济学院")
        add_alumnus(session, "孙七", year=NEXT_TENTH, bound_at=NOW)
        add_alumnus(session, "周八", year=TENTH - 1, bound_at=NOW)   # 11 years: no anniversary
        booking = add_booking(session, contact, day=dt.date(THIS_YEAR, 11, 14),
                              status=BookingStatus.APPROVED, people=12)
        return {"booking": booking.id}


def row_html(page: str, graduation_year: int, college: str) -> str:
    start = page.index(f'id="class-{graduation_year}-{college}"')
    return page[start:page.index("</tr>", start)]


def invite(client, graduation_year: int, college: str):
    token = csrf_token(client.get(PAGE).text)
    return client.post(f"{PAGE}invite", data={"csrf_token": token, "graduation_year": graduation_year,
                                              "college": college})


def test_the_page_lists_anniversary_classes_with_counts_invitations_and_bookings(admin_client, runtime):
    ids = roster(runtime)
    with runtime.sessions.begin() as session:
        session.add(AnniversaryOutreach(year=THIS_YEAR, graduation_year=TENTH, anniversary=10,
                                        recipients=2, queued_at=NOW))
    page = admin_client.get(PAGE).text
    cs = row_html(page, TENTH, "计算机学院")
    assert f"{TENTH} 届计算机学院" in cs and "10 周年" in cs
    assert '<td class="num">3</td>' in cs and '<td class="num">2</td>' in cs   # on the roster, bound
    assert "年度邀请（2 人" in cs
    assert f"编号 {ids['booking']} · {THIS_YEAR}-11-14 · 已批准 · 12 人" in cs
    economics = row_html(page, TENTH, "经济学院")
    assert '<td class="num">1</td>' in economics and '<td class="num">0</td>' in economics
    assert "未预约" in economics
    nxt = row_html(page, NEXT_TENTH, "计算机学院")
    assert "未邀请" in nxt and "未预约" in nxt and ">邀请</button>" in nxt
    assert f"{THIS_YEAR + 1} 年（明年）" in page
    assert f"{TENTH - 1} 届" not in page


def test_inviting_a_class_queues_one_reunion_push_to_its_bound_alumni(admin_client, runtime):
    roster(runtime)
    answer = invite(admin_client, NEXT_TENTH, "计算机学院")
    assert answer.status_code == 302
    with runtime.sessions() as session:
        [push] = session.scalars(select(Push)).all()
        assert push.category == "reunion" and push.kind == "broadcast"
        assert push.audience == f"and:year:{NEXT_TENTH}&college:计算机学院"
        assert push.recipient_count == 1
        assert session.scalar(select(Delivery.wechat_user_id).where(Delivery.push_id == push.id))
        assert f"明年（{THIS_YEAR + 1} 年）是您毕业 10 周年" in push.text
        assert "发送「返校」" in push.text and "返校活动 → 秩年返校" in push.text
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "reunion_invited")).one()
        assert audit.target == f"{NEXT_TENTH} 届计算机学院（10 周年）"
        assert f"推送 #{push.id}" in audit.detail and "1 人" in audit.detail
    page = admin_client.get(PAGE).text
    assert f"已邀请{NEXT_TENTH} 届计算机学院：1 位已绑定的校友将收到邀请" in page
    row = row_html(page, NEXT_TENTH, "计算机学院")
    assert f"推送 #{push.id}" in row and "再次邀请" in row and "boss（1 人" in row


def test_the_invitation_reaches_the_classs_two_bound_alumni_only(admin_client, runtime):
    roster(runtime)
    invite(admin_client, TENTH, "计算机学院")
    with runtime.sessions() as session:
        push = session.scalars(select(Push)).one()
        assert push.recipient_count == 2           # not 王芳 (unbound), not 经济学院, not 11 years
        assert "今年是您毕业 10 周年" in push.text


def test_a_second_invitation_within_a_week_and_a_class_not_listed_are_refused(admin_client, runtime):
    roster(runtime)
    invite(admin_client, TENTH, "计算机学院")
    again = admin_client.get(invite(admin_client, TENTH, "计算机学院").headers["Location"]).text
    assert "7 天内不再重复邀请" in again
    refused = admin_client.get(invite(admin_client, TENTH - 1, "计算机学院").headers["Location"]).text
    assert "不是今明两年的秩年班级" in refused
    with runtime.sessions() as session:
        assert len(session.scalars(select(Push)).all()) == 1


def test_the_invite_needs_the_csrf_token_and_a_staff_role(app, admin_client, runtime):
    roster(runtime)
    assert admin_client.post(f"{PAGE}invite", data={"graduation_year": TENTH,
                                                    "college": "计算机学院"}).status_code == 400
    add_account(runtime, "计院", StaffRole.COLLEGE, college="计算机学院")
    college = app.test_client()
    login(college, "计院")
    assert college.get(PAGE).status_code == 403
    with runtime.sessions() as session:
        assert session.scalars(select(Push)).all() == []


def test_in_school_wide_mode_a_class_is_the_whole_year(make_app):
    app = make_app(reunion={"class_scope": "school"})
    runtime = app.extensions["alumni_bot"]
    roster(runtime)
    add_account(runtime, "boss", StaffRole.ADMIN)
    client = app.test_client()
    login(client, "boss")
    row = row_html(client.get(PAGE).text, TENTH, "all")
    assert f"{TENTH} 届</td>" in row and '<td class="num">4</td>' in row   # both colleges
    invite(client, TENTH, "")
    with runtime.sessions() as session:
        push = session.scalars(select(Push)).one()
        assert (push.audience, push.recipient_count) == (f"year:{TENTH}", 2)
