"""Helpers for the tests in tests/chapters/ (constants, builders, stand-ins); the fixtures that use
them are in conftest.py."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.directory.names import name_key
from models import Alumnus, WechatUser

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


# A small world of chapters: China, abroad, and two industries.
HEADER = "名称,类型,城市,国家,纬度,经度,联络员,联络方式,简介"


WORLD = [
    "上海校友会,地区,上海,,,,王芳,13900000001,",
    "苏州校友会,地区,苏州,,,,张伟,微信 zhangwei_sz,姑苏城外",
    "南京校友会,地区,南京,,,,李娜、赵磊,13900000003、13900000004,",
    "北京校友会,地区,北京,,,,刘洋,13900000005,",
    "成都校友会,地区,成都,,,,陈静,13900000006,",
    "纽约校友会,海外,New York,美国,,,Wei Zhang,ny@alumni.example,",
    "旧金山湾区校友会,海外,旧金山,美国,,,Li Na,sf@alumni.example,",
    "伦敦校友会,海外,伦敦,英国,,,Wang Fang,london@alumni.example,",
    "悉尼校友会,海外,悉尼,澳大利亚,,,Liu Yang,sydney@alumni.example,",
    "新加坡校友会,海外,新加坡,,,,Chen Jing,sg@alumni.example,",
    "金融行业校友会,行业,,,,,周敏,13900000011,银行、证券、基金与保险",
    "互联网与人工智能校友会,行业,,,,,吴昊,13900000012,软件、互联网、人工智能",
]


def rows(*lines: str, header: str = HEADER):
    """(line number, {field: cell}) as the file reader yields them; the header is line 1."""
    from handlers.chapters.columns import field_for_header

    fields = [field_for_header(h) for h in header.split(",")]
    for number, line in enumerate(lines, start=2):
        cells = line.split(",")
        yield number, {f: (c or None) for f, c in zip(fields, cells) if f}


def add_user(session, openid: str) -> WechatUser:
    user = WechatUser(openid=openid, subscribed=True, created_at=NOW)
    session.add(user)
    session.flush()
    return user


def add_alumnus(session, student_id: str, name: str, year: int, *, user: WechatUser | None = None,
                **fields) -> Alumnus:
    fields.setdefault("degree", "本科")
    fields.setdefault("college", "计算机学院")
    fields.setdefault("class_name", "计科1班")
    record = Alumnus(student_id=student_id, name=name, graduation_year=year, name_key=name_key(name),
                     search_pinyin="", search_initials="", imported_at=NOW,
                     wechat_user_id=user.id if user else None, bound_at=NOW if user else None,
                     **fields)
    session.add(record)
    session.flush()
    return record


def bound_user(runtime, openid: str, name: str = "张三", year: int = 2016, student_id: str | None = None,
               **fields) -> int:
    """A WeChat user bound to a new roster record; returns the user's id."""
    with runtime.sessions.begin() as session:
        user = add_user(session, openid)
        add_alumnus(session, student_id or f"S{openid}", name, year, user=user, **fields)
        return user.id
