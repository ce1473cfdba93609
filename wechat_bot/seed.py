"""Synthetic data for `alumni-bot demo`; each feature adds its own step as it lands."""

from __future__ import annotations

import csv
import os
import tempfile
import time
from collections.abc import Iterator

from sqlalchemy import func, select, update

# In the demo a fifth of the alumni have chosen 公开, so that a search shows strangers too; the
# rest keep the default (同学: their own class only), as a real roster mostly would.
DEMO_PUBLIC_EVERY = 5


def seed_demo(runtime, *, alumni: int, sandbox=None) -> Iterator[str]:
    """Fill an empty demo database; yields one line per step for the console. `sandbox` (the
    demo's WeChat stand-in) knows the simulated followers some steps make."""
    # Events join here with their feature (issue 22).
    yield from seed_roster(runtime, alumni)
    yield from seed_chapters(runtime)
    if sandbox is not None:
        yield from seed_chapter_members(runtime, sandbox)
        yield from seed_bound_visitor(runtime, sandbox)
        yield from seed_reunions(runtime, sandbox)
        yield from seed_events(runtime, sandbox)
        yield from seed_mentors(runtime, sandbox)
        yield from seed_circles(runtime, sandbox)
    yield from seed_news(runtime)
    yield from seed_card_site(runtime)


def seed_roster(runtime, alumni: int) -> Iterator[str]:
    """A synthetic roster of `alumni` records, through the real import, if the roster is empty."""
    from handlers.directory.demo import DEMO_BOUND, DEMO_IDENTITIES
    from handlers.directory.roster_import import import_roster
    from models import Alumnus, Privacy
    from wechat_bot.synthetic.roster import write_synthetic_roster

    with runtime.sessions() as session:
        present = session.scalar(select(func.count()).select_from(Alumnus))
    if present:
        yield f"演示数据：花名册已有 {present} 名校友，未重新生成"
        return
    if alumni <= 0:
        yield "演示数据：未生成花名册（--alumni 0）"
        return
    started = time.perf_counter()
    handle, path = tempfile.mkstemp(prefix="alumni-demo-", suffix=".csv")
    os.close(handle)
    try:
        write_synthetic_roster(alumni, path)
        with open(path, "a", encoding="utf-8", newline="") as stream:
            csv.writer(stream).writerows(i.roster_row() for i in (*DEMO_IDENTITIES, DEMO_BOUND))
        report = import_roster(runtime.engine, path)
    finally:
        os.unlink(path)
    with runtime.sessions.begin() as session:
        session.execute(
            update(Alumnus)
            .where(Alumnus.id % DEMO_PUBLIC_EVERY == 0)
            .values(privacy=Privacy.PUBLIC)
        )
    yield (
        f"演示数据：已生成 {report.inserted} 名虚构校友（含 {len(DEMO_IDENTITIES)} 个演示身份，"
        "其中约五分之一设为公开），"
        f"用时 {time.perf_counter() - started:.1f} 秒"
    )


def demo_identities(runtime) -> list[tuple[str, bool]]:
    """The demo identities in this roster: (the bind command to send, whether someone bound it)."""
    from handlers.directory.demo import DEMO_IDENTITIES
    from models import Alumnus

    wanted = {i.student_id: i for i in DEMO_IDENTITIES}
    with runtime.sessions() as session:
        found = dict(session.execute(select(Alumnus.student_id, Alumnus.wechat_user_id)
                                     .where(Alumnus.student_id.in_(wanted))).all())
    return [(i.bind_command, found[i.student_id] is not None) for i in DEMO_IDENTITIES
            if i.student_id in found]


def seed_chapters(runtime) -> Iterator[str]:
    """A dozen demo chapters with liaisons, and ambassadors for the largest classes (issue 7)."""
    from datetime import UTC, datetime

    from handlers.chapters.demo import seed_demo_chapters
    from models.chapter import Chapter

    with runtime.sessions() as session:
        present = session.scalar(select(func.count()).select_from(Chapter))
    if present:
        yield f"演示数据：已有 {present} 个校友分会，未重新生成"
        return
    with runtime.sessions.begin() as session:
        report, ambassadors = seed_demo_chapters(session, now=datetime.now(UTC))
    yield f"演示数据：已生成 {report.created} 个校友分会（含联络员）和 {ambassadors} 位班级联络人"


MEMBERS_PER_CHAPTER = 8


def seed_chapter_members(runtime, sandbox, per_chapter: int = MEMBERS_PER_CHAPTER) -> Iterator[str]:
    """A few members for each chapter in a city: alumni of that city, bound to simulated followers
    the sandbox knows (so a `chapter:` broadcast reaches them) but does not list on the chat page
    (it lists the people a visitor plays). Once: a demo with members already is left alone."""
    from datetime import UTC, datetime

    from handlers.directory.demo import DEMO_IDENTITIES
    from models import Alumnus, WechatUser
    from models.chapter import Chapter, ChapterMember

    with runtime.sessions() as session:
        if session.scalar(select(func.count()).select_from(ChapterMember)):
            return
    now = datetime.now(UTC)
    from handlers.directory.demo import DEMO_BOUND

    reserved = [i.student_id for i in (*DEMO_IDENTITIES, DEMO_BOUND)]
    joined = 0
    with runtime.sessions.begin() as session:
        chapters = session.scalars(select(Chapter).where(Chapter.city.is_not(None))
                                   .order_by(Chapter.id)).all()
        for chapter in chapters:
            records = session.scalars(
                select(Alumnus).where(Alumnus.current_city == chapter.city,
                                      Alumnus.wechat_user_id.is_(None),
                                      Alumnus.student_id.not_in(reserved))
                .order_by(Alumnus.id).limit(per_chapter)).all()
            for record in records:
                person = sandbox.people.add(record.name, listed=False)
                sandbox.people.follow(person.openid)
                user = WechatUser(openid=person.openid, subscribed=True, subscribed_at=now,
                                  created_at=now)
                session.add(user)
                session.flush()
                record.wechat_user_id, record.bound_at = user.id, now
                session.add(ChapterMember(chapter_id=chapter.id, wechat_user_id=user.id,
                                          joined_at=now, channel="bot"))
                joined += 1
    yield f"演示数据：{joined} 位校友加入了所在城市的分会（沙盒中的模拟关注者）"


def seed_bound_visitor(runtime, sandbox) -> Iterator[str]:
    """The chat page's person named like DEMO_BOUND follows and is bound to that 2016 record, so a
    broadcast to the 2016 class shows in a chat the newcomer can open. Once."""
    from datetime import UTC, datetime

    from handlers.directory.demo import DEMO_BOUND
    from models import Alumnus, WechatUser

    person = next((p for p in sandbox.people.all() if p.nickname == DEMO_BOUND.name), None)
    if person is None:
        return
    now = datetime.now(UTC)
    with runtime.sessions.begin() as session:
        record = session.scalar(select(Alumnus).where(Alumnus.student_id == DEMO_BOUND.student_id))
        if record is None or record.wechat_user_id is not None:
            return
        sandbox.people.follow(person.openid)
        user = session.scalar(select(WechatUser).where(WechatUser.openid == person.openid))
        if user is None:
            user = WechatUser(openid=person.openid, subscribed=True, subscribed_at=now, created_at=now)
            session.add(user)
            session.flush()
        record.wechat_user_id, record.bound_at = user.id, now
    yield (f"演示数据：聊天页的「{person.nickname}」已关注并认证为 {DEMO_BOUND.graduation_year} 届校友"
           f"（发给 {DEMO_BOUND.graduation_year} 届的推送会出现在他的聊天里）")


def seed_reunions(runtime, sandbox) -> Iterator[str]:
    """Reunions (issue 21): a class on campus today, bookings for the coming weekend, a visit
    with feedback, the publications library. Classmates they need are bound to simulated
    followers the sandbox knows (not listed on the chat page). Once."""
    from datetime import UTC, datetime

    from handlers.reunion.demo import seed_demo_reunions
    from models.reunion import ReunionBooking
    from wechat_bot.notify import notify_users

    with runtime.sessions() as session:
        if session.scalar(select(func.count()).select_from(ReunionBooking)):
            return
    now = datetime.now(UTC)

    bind = _follower_binder(sandbox, now)

    with runtime.sessions.begin() as session:
        lines = list(seed_demo_reunions(session, now=now, settings=runtime.config.features,
                                        notify=notify_users, bind=bind,
                                        base_url=runtime.config.app.base_url.rstrip("/")))
    yield from lines


def seed_events(runtime, sandbox) -> Iterator[str]:
    """Events (issue 22): upcoming open events of several kinds, one nearly full, one with a
    waitlist, a chapter's, and one today to check in at; registrants are alumni bound to simulated
    followers the sandbox knows (not listed on the chat page). Once."""
    from datetime import UTC, datetime

    from handlers.events.demo import seed_demo_events
    from models.event import Event

    with runtime.sessions() as session:
        if session.scalar(select(func.count()).select_from(Event)):
            return
    now = datetime.now(UTC)

    bind = _follower_binder(sandbox, now)

    with runtime.sessions.begin() as session:
        lines = list(seed_demo_events(session, now=now, settings=runtime.config.features, bind=bind))
    yield from lines


def seed_card_site(runtime) -> Iterator[str]:
    """The alumni card (issue 24): a demo gate whose key is printed once."""
    from datetime import UTC, datetime

    from handlers.card.demo import seed_demo_card_site

    with runtime.sessions.begin() as session:
        lines = list(seed_demo_card_site(session, now=datetime.now(UTC),
                                         base_url=runtime.config.app.base_url.rstrip("/")))
    yield from lines


def seed_mentors(runtime, sandbox) -> Iterator[str]:
    """Mentors (issue 24): six in different industries and cities, one accepted pair. Once."""
    from datetime import UTC, datetime

    from handlers.mentors.demo import seed_demo_mentors

    now = datetime.now(UTC)
    with runtime.sessions.begin() as session:
        lines = list(seed_demo_mentors(session, now=now, settings=runtime.config.features,
                                       bind=_follower_binder(sandbox, now)))
    yield from lines


def seed_circles(runtime, sandbox) -> Iterator[str]:
    """Circles (issue 24): 王磊's class circle and another, an interest circle with members, and a
    proposal waiting for staff. Classmates are bound to simulated followers. Once."""
    from datetime import UTC, datetime

    from handlers.circles.demo import seed_demo_circles

    now = datetime.now(UTC)
    with runtime.sessions.begin() as session:
        lines = list(seed_demo_circles(session, now=now, settings=runtime.config.features.circles,
                                       bind=_follower_binder(sandbox, now)))
    yield from lines


def seed_news(runtime) -> Iterator[str]:
    """News and publications (issue 24): a few items in each category, some with covers."""
    from datetime import UTC, datetime
    from functools import partial

    from handlers.publications.demo import seed_demo_news
    from wechat_bot.api.news import file_url

    base = runtime.config.app.base_url.rstrip("/")
    with runtime.sessions.begin() as session:
        lines = list(seed_demo_news(session, now=datetime.now(UTC), base_url=base,
                                    file_url=partial(file_url, base)))
    yield from lines


def _follower_binder(sandbox, now):
    """bind(session, record): a simulated follower the sandbox knows (not listed on the chat page),
    bound to the roster record — the classmates and registrants the demo's features need."""
    from models import WechatUser

    def bind(session, record) -> WechatUser:
        person = sandbox.people.add(record.name, listed=False)
        sandbox.people.follow(person.openid)
        user = WechatUser(openid=person.openid, subscribed=True, subscribed_at=now, created_at=now)
        session.add(user)
        session.flush()
        record.wechat_user_id, record.bound_at = user.id, now
        return user

    return bind
