"""Demo chapters for `alumni-bot demo`: a dozen fictitious chapters with liaisons, imported through
the same service as the chapters file (places resolved by the gazetteer), and class ambassadors for
a few classes of the synthetic roster."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.chapters.classes import appoint_ambassador
from handlers.chapters.importing import ImportReport, import_chapters
from models import Alumnus

# 名称, 类型, 城市, 国家, 联络员, 联络方式, 简介 — every person and contact here is made up.
DEMO_CHAPTERS: tuple[tuple[str, ...], ...] = (
    ("上海校友会", "地区", "上海", "", "王晓明", "微信 sh_alumni_demo", "每月第一个周六在徐汇有校友沙龙。"),
    ("北京校友会", "地区", "北京", "", "李文静", "微信 bj_alumni_demo", "覆盖京津地区，常办行业分享会。"),
    ("苏州校友会", "地区", "苏州", "", "张建国", "0512-0000-0000", "姑苏城里的校友之家，含工业园区。"),
    ("南京校友会", "地区", "南京", "", "陈雨、刘畅", "微信 nj_alumni_demo、nj2@alumni.example", ""),
    ("深圳校友会", "地区", "深圳", "", "黄海涛", "微信 sz_alumni_demo", "科技企业校友多，欢迎新人。"),
    ("成都校友会", "地区", "成都", "", "杨帆", "微信 cd_alumni_demo", ""),
    ("西安校友会", "地区", "西安", "", "赵敏", "xa@alumni.example", ""),
    ("纽约校友会", "海外", "New York", "美国", "Emily Zhou", "ny@alumni.example", "Tri-state area."),
    ("旧金山湾区校友会", "海外", "San Francisco", "美国", "Kevin Wu", "bayarea@alumni.example", "硅谷与湾区。"),
    ("伦敦校友会", "海外", "London", "英国", "孙悦", "london@alumni.example", ""),
    ("新加坡校友会", "海外", "新加坡", "", "林志强", "sg@alumni.example", ""),
    ("悉尼校友会", "海外", "Sydney", "澳大利亚", "郭佳", "sydney@alumni.example", ""),
    ("金融行业校友会", "行业", "", "", "周敏", "fin@alumni.example", "银行、证券、基金、保险与金融科技。"),
    ("互联网与人工智能校友会", "行业", "", "", "吴昊", "ai@alumni.example", "软件、互联网、人工智能与芯片。"),
)
FIELDS = ("name", "kind", "city", "country", "liaison", "liaison_contact", "intro")
AMBASSADOR_CLASSES = 12


def seed_demo_chapters(session: Session, *, now: datetime) -> tuple[ImportReport, int]:
    """Import the demo chapters and appoint ambassadors; (the import's report, ambassadors made)."""
    rows = ((line, dict(zip(FIELDS, row))) for line, row in enumerate(DEMO_CHAPTERS, start=2))
    report = import_chapters(session, rows, now=now)
    return report, _appoint_ambassadors(session, now)


def _appoint_ambassadors(session: Session, now: datetime) -> int:
    """The first alumnus (by student ID) of the largest classes becomes their ambassador."""
    classes = session.execute(
        select(Alumnus.college, Alumnus.graduation_year, Alumnus.class_name, func.min(Alumnus.id))
        .where(Alumnus.college.is_not(None), Alumnus.class_name.is_not(None))
        .group_by(Alumnus.college, Alumnus.graduation_year, Alumnus.class_name)
        .order_by(func.count().desc(), Alumnus.graduation_year.desc())
        .limit(AMBASSADOR_CLASSES)).all()
    for *_, first_id in classes:
        record = session.get(Alumnus, first_id)
        appoint_ambassador(session, record, now=now, contact=f"微信 class{record.id:05d}_demo")
    return len(classes)
