"""The demo's chapters: every one resolves through the gazetteer, and seeding twice changes nothing."""

from sqlalchemy import func, select

from handlers.chapters.demo import DEMO_CHAPTERS, seed_demo_chapters
from models.chapter import Chapter, ClassAmbassador
from tests.chapters.support import NOW, add_alumnus


def test_demo_chapters_all_go_in_and_ambassadors_are_appointed(session):
    for i in range(3):
        add_alumnus(session, f"D{i}", f"演示{i}", 2016)
    add_alumnus(session, "E1", "演示乙", 2006, class_name="经管2班", college="经济学院")
    report, ambassadors = seed_demo_chapters(session, now=NOW)
    assert report.rejected == [] and report.created == len(DEMO_CHAPTERS)
    assert ambassadors == 2
    assert session.scalar(select(func.count()).select_from(ClassAmbassador)) == 2
    again, _ = seed_demo_chapters(session, now=NOW)
    assert (again.created, again.updated) == (0, len(DEMO_CHAPTERS))
    assert session.scalar(select(func.count()).select_from(Chapter)) == len(DEMO_CHAPTERS)
    assert session.scalar(select(func.count()).select_from(ClassAmbassador)) == 2
    overseas = session.scalars(select(Chapter).where(Chapter.kind == "overseas")).all()
    assert all(c.latitude is not None for c in overseas)


def test_the_demo_seeds_chapters_once(runtime):
    from wechat_bot.seed import seed_chapters

    first, again = list(seed_chapters(runtime)), list(seed_chapters(runtime))
    assert first == [f"演示数据：已生成 {len(DEMO_CHAPTERS)} 个校友分会（含联络员）和 0 位班级联络人"]
    assert again == [f"演示数据：已有 {len(DEMO_CHAPTERS)} 个校友分会，未重新生成"]
