"""The demo's chapters: every one resolves through the gazetteer, and seeding twice changes nothing."""

from sqlalchemy import func, select

from handlers.chapters.demo import DEMO_CHAPTERS, seed_demo_chapters
from models.chapter import Chapter, ClassAmbassador
from tests.chapters.conftest import NOW, add_alumnus


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
