"""Helpers for the admin page's tests: accounts, a logged-in test client, roster rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import count

from handlers.staff.accounts import check_place, create_account
from models import Alumnus, Chapter, ChapterMember, StaffRole, WechatUser
from models.chapter import ChapterKind

PASSWORD = "correct-horse-42"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_ids = count(1)


def csrf_token(page_html: str) -> str:
    return CSRF.search(page_html).group(1)


def add_account(runtime, username: str, role: StaffRole = StaffRole.ADMIN, *, college=None,
                chapter=None, password: str = PASSWORD) -> int:
    with runtime.sessions.begin() as session:
        place = check_place(session, role, college, chapter)
        return create_account(session, username, password, role, place,
                              settings=runtime.config.admin, now=datetime.now(UTC)).id


def login(client, username: str, password: str = PASSWORD):
    """Through the form, as a browser: the page first (its CSRF token), then the POST."""
    token = csrf_token(client.get("/admin/login").text)
    return client.post("/admin/login", data={"username": username, "password": password,
                                             "csrf_token": token})


def menu_offers(client) -> str:
    """Every menu entry the account is offered: the top menu, and the tabs of each menu group
    (a group's pages show as tabs on the page its top-menu entry opens)."""
    page = client.get("/admin/").text
    menu = page.split('<nav class="menu"', 1)[1].split("</nav>", 1)[0]
    offered = [menu]
    for href in re.findall(r'href="(/admin/[^"]*)"', menu):
        target = client.get(href).text
        if '<nav class="tabs"' in target:
            offered.append(target.split('<nav class="tabs"', 1)[1].split("</nav>", 1)[0])
    return "\n".join(offered)


def post_form(client, path: str, data: dict):
    """POST a form with the token from the page at `path` (GET first, as a browser would)."""
    token = csrf_token(client.get(path).text)
    return client.post(path, data={**data, "csrf_token": token})


def add_alumnus(session, name: str = "张伟", *, college: str = "计算机学院", year: int = 2012,
                bound_at: datetime | None = None, follower: bool = True) -> Alumnus:
    """A roster record; bound (to a new follower) when `bound_at` is given."""
    number = next(_ids)
    user = None
    if bound_at is not None:
        user = WechatUser(openid=f"o-admin-{number}", subscribed=follower, created_at=bound_at)
        session.add(user)
        session.flush()
    record = Alumnus(student_id=f"S{number:08d}", name=name, graduation_year=year,
                     college=college, name_key=name, search_pinyin="x", search_initials="x",
                     imported_at=datetime.now(UTC), wechat_user_id=user.id if user else None,
                     bound_at=bound_at)
    session.add(record)
    session.flush()
    return record


def add_chapter(session, name: str = "上海校友会") -> Chapter:
    now = datetime.now(UTC)
    chapter = Chapter(name=name, kind=ChapterKind.INDUSTRY, created_at=now, updated_at=now)
    session.add(chapter)
    session.flush()
    return chapter


def join(session, chapter: Chapter, record: Alumnus) -> None:
    session.add(ChapterMember(chapter_id=chapter.id, wechat_user_id=record.wechat_user_id,
                              joined_at=datetime.now(UTC)))
    session.flush()
