"""The demo's mentors (`alumni-bot demo`): six alumni in different industries and cities, bound to
simulated followers the sandbox knows (`bind`), and one accepted pair: the chat page's 王磊
(handlers.directory.demo.DEMO_BOUND) and the first mentor, so 我的导师 shows both contacts.
Everyone and every WeChat ID here is made up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.directory.demo import DEMO_BOUND, DEMO_IDENTITIES
from handlers.mentors.contact import NO_CONTACT, Contact
from handlers.mentors.offers import save_mentor
from handlers.mentors.requests import answer_request, send_request
from handlers.settings import Settings
from models import Alumnus, ContactKind, Mentor, Privacy, WechatUser

Bind = Callable[[Session, Alumnus], WechatUser]

# (industry, city, topics, WeChat ID or None, monthly cap)
DEMO_MENTORS = (
    ("互联网", "上海", "产品经理入门、求职面试、转行", "demo_pm_mentor", 5),
    ("金融", "北京", "券商与投行实习、CFA 备考", "demo_fin_mentor", 3),
    ("教育", "南京", "考研读博、高校求职", None, 4),
    ("制造业", "苏州", "工程师成长、外企与民企", "demo_mfg_mentor", 2),
    ("医疗健康", "广州", "医药研发、职业规划", "demo_med_mentor", 3),
    ("人工智能", "深圳", "算法岗求职、创业", "demo_ai_mentor", 6),
)


def seed_demo_mentors(session: Session, *, now: dt.datetime, settings: Settings,
                      bind: Bind) -> Iterator[str]:
    if session.scalar(select(func.count()).select_from(Mentor)):
        return
    demo_ids = [i.student_id for i in (*DEMO_IDENTITIES, DEMO_BOUND)]
    records = list(session.scalars(
        select(Alumnus).where(Alumnus.wechat_user_id.is_(None), Alumnus.privacy != Privacy.HIDDEN,
                              Alumnus.graduation_year <= now.year - 8,
                              Alumnus.student_id.not_in(demo_ids))
        .order_by(Alumnus.id).limit(len(DEMO_MENTORS))))
    mentors = []
    for record, (industry, city, topics, wechat_id, cap) in zip(records, DEMO_MENTORS, strict=False):
        user = bind(session, record)
        contact = Contact(ContactKind.WECHAT, wechat_id) if wechat_id else NO_CONTACT
        mentors.append((user, save_mentor(session, user, industry=industry, city=city, topics=topics,
                                          contact=contact, monthly_cap=cap, now=now,
                                          settings=settings.mentors)))
    if not mentors:
        return
    yield f"演示数据：{len(mentors)} 位校友导师（发送「导师」查看）"
    visitor = session.scalar(select(WechatUser).join(Alumnus, Alumnus.wechat_user_id == WechatUser.id)
                             .where(Alumnus.student_id == DEMO_BOUND.student_id))
    if visitor is None:
        return
    mentor_user, mentor = mentors[0]
    request = send_request(session, visitor, mentor.id, "想了解互联网产品经理的日常工作，想请您指点。",
                           Contact(ContactKind.WECHAT, "wanglei_demo"), now=now, settings=settings,
                           notify=None)
    answer_request(session, mentor_user, request.id, accept=True, now=now, notify=None)
    yield f"演示数据：{DEMO_BOUND.name}的导师请求 #{request.id} 已被接受（发送「我的导师」查看双方联系方式）"
