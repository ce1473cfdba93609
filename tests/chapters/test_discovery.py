"""分会 <words>: city, province, country, chapter name and industry matches; nearest first from a
point, with great-circle distances, across continents."""

import pytest

from handlers.chapters.discovery import Matched, find_chapters, nearest_chapters
from handlers.chapters.geo import distance_km


def names(found):
    return [c.name for c in found.chapters]


def test_a_chinese_city_finds_its_chapter_with_liaison_and_contact(world, session):
    found = find_chapters(session, "苏州")
    assert found.matched is Matched.CITY
    assert names(found) == ["苏州校友会"]
    chapter = found.chapters[0]
    assert chapter.city == "苏州" and chapter.province == "江苏" and chapter.country == "CN"
    assert [(lia.name, lia.contact) for lia in chapter.liaisons] == [("张伟", "微信 zhangwei_sz")]
    assert chapter.members == 0


@pytest.mark.parametrize("query", ["苏州市", "Suzhou", "SUZHOU", "ｓｕｚｈｏｕ"])
def test_city_names_in_other_forms_find_the_same_chapter(world, session, query):
    assert names(find_chapters(session, query)) == ["苏州校友会"]


@pytest.mark.parametrize("query,expected", [
    ("纽约", "纽约校友会"), ("New York", "纽约校友会"), ("伦敦", "伦敦校友会"),
    ("london", "伦敦校友会"), ("新加坡", "新加坡校友会"), ("San Francisco", "旧金山湾区校友会"),
])
def test_overseas_cities_match_in_chinese_and_english(world, session, query, expected):
    assert names(find_chapters(session, query))[0] == expected


def test_a_province_finds_the_chapters_of_its_cities(world, session):
    found = find_chapters(session, "江苏")
    assert found.matched is Matched.PROVINCE
    assert sorted(names(found)) == ["南京校友会", "苏州校友会"]
    assert found.understood_as == "江苏"
    assert sorted(names(find_chapters(session, "江苏省"))) == ["南京校友会", "苏州校友会"]


def test_a_country_finds_the_chapters_in_it(world, session):
    found = find_chapters(session, "美国")
    assert found.matched is Matched.COUNTRY
    assert sorted(names(found)) == ["旧金山湾区校友会", "纽约校友会"]
    assert sorted(names(find_chapters(session, "USA"))) == ["旧金山湾区校友会", "纽约校友会"]
    assert names(find_chapters(session, "英国")) == ["伦敦校友会"]


@pytest.mark.parametrize("word,expected", [
    ("金融", "金融行业校友会"), ("证券", "金融行业校友会"), ("人工智能", "互联网与人工智能校友会"),
    ("互联网", "互联网与人工智能校友会"),
])
def test_an_industry_word_finds_industry_chapters(world, session, word, expected):
    found = find_chapters(session, word)
    assert found.matched is Matched.INDUSTRY
    assert names(found) == [expected]


def test_a_chapter_name_matches(world, session):
    assert names(find_chapters(session, "湾区")) == ["旧金山湾区校友会"]


def test_a_known_city_without_a_chapter_lists_the_nearest_ones(world, session):
    found = find_chapters(session, "无锡")
    assert found.matched is Matched.NEAREST_TO_PLACE
    assert found.understood_as == "无锡"
    assert names(found)[:3] == ["苏州校友会", "上海校友会", "南京校友会"]
    assert found.chapters[0].distance_km < 50


@pytest.mark.parametrize("query,expected", [("江苏 苏州", ["苏州校友会"]), ("美国 纽约", ["纽约校友会"]),
                                            ("New York", ["纽约校友会"])])
def test_several_words_are_tried_one_at_a_time(world, session, query, expected):
    assert names(find_chapters(session, query)) == expected


def test_nothing_matches_an_unknown_word(world, session):
    found = find_chapters(session, "火星基地")
    assert found.matched is Matched.NOTHING and found.chapters == []


def test_an_inactive_chapter_is_not_listed(world, runtime):
    from sqlalchemy import update

    from models.chapter import Chapter

    with runtime.sessions.begin() as session:
        session.execute(update(Chapter).where(Chapter.name == "苏州校友会").values(status="inactive"))
    with runtime.sessions() as session:
        assert "苏州校友会" not in names(find_chapters(session, "江苏"))
        assert "苏州校友会" not in names(nearest_chapters(session, 31.30, 120.59, limit=20))


# --- nearest first ---------------------------------------------------------------------------

def test_from_shanghai_the_nearest_are_shanghai_suzhou_nanjing(world, session):
    found = nearest_chapters(session, 31.2304, 121.4737)
    assert found.matched is Matched.NEAREST
    assert names(found)[:3] == ["上海校友会", "苏州校友会", "南京校友会"]
    assert found.chapters[0].distance_km < 5
    assert 70 < found.chapters[1].distance_km < 100     # Shanghai - Suzhou is about 85 km


def test_from_new_york_the_nearest_is_new_york_then_san_francisco_then_london(world, session):
    found = nearest_chapters(session, 40.7580, -73.9855)   # Times Square
    assert names(found)[:3] == ["纽约校友会", "旧金山湾区校友会", "伦敦校友会"]
    assert found.chapters[0].distance_km < 10


def test_from_the_middle_of_the_pacific_chapters_are_still_listed_nearest_first(world, session):
    found = nearest_chapters(session, 0.0, -160.0, limit=20)
    distances = [c.distance_km for c in found.chapters]
    assert len(distances) == 10                      # every regional and overseas chapter
    assert distances == sorted(distances)
    assert distances[0] > 5000                       # nothing is near, and the distances say so
    assert names(found)[0] == "旧金山湾区校友会"       # ~5,500 km; Sydney is ~7,300 km
    assert names(found)[1] == "悉尼校友会"


def test_nearest_crosses_the_antimeridian(world, session):
    # Fiji, just west of 180°: Sydney (~3,200 km) is nearer than Shanghai, whatever the sign of lng.
    found = nearest_chapters(session, -17.7, 178.0)
    assert names(found)[0] == "悉尼校友会"


def test_industry_chapters_have_no_place_and_are_not_in_nearest_lists(world, session):
    found = nearest_chapters(session, 31.2, 121.5, limit=50)
    assert not any("行业" in c.name or "互联网" in c.name for c in found.chapters)


@pytest.mark.parametrize("a,b,km", [
    ((31.2304, 121.4737), (40.7128, -74.0060), 11_860),   # Shanghai - New York
    ((51.5074, -0.1278), (40.7128, -74.0060), 5_570),     # London - New York
    ((-33.8688, 151.2093), (51.5074, -0.1278), 16_990),   # Sydney - London
])
def test_great_circle_distances(a, b, km):
    assert distance_km(*a, *b) == pytest.approx(km, rel=0.01)
    assert distance_km(*a, *a) == 0
