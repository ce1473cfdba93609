"""The lookup engine: every kind of word, the surname readings, ranking, paging, privacy, and what
a hit shows (never a phone number or an e-mail address)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from handlers.directory.lookup import Hit, QueryError, SearchFilters, Viewer, search_alumni
from handlers.directory.names import name_key
from handlers.directory.search_keys import name_search_keys
from models import Alumnus, Privacy
from models.db import make_engine, make_session_factory

IMPORTED = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
PUBLIC, CLASSMATES, HIDDEN = Privacy.PUBLIC.value, Privacy.CLASSMATES.value, Privacy.HIDDEN.value
# A searcher bound to a record of 计算机学院 2016, who sees public records and that class.
ME = Viewer(wechat_user_id=1, classes=frozenset({("计算机学院", 2016)}))


def add(session, name, year, *, privacy=PUBLIC, **fields) -> int:
    """A roster record with the keys an import computes."""
    pinyin, initials = name_search_keys(name)
    fields.setdefault("college", "文学院")
    number = session.info["next_id"] = session.info.get("next_id", 0) + 1
    record = Alumnus(student_id=f"S{number:05d}", name=name, graduation_year=year,
                     name_key=name_key(name), search_pinyin=pinyin, search_initials=initials,
                     imported_at=IMPORTED, privacy=privacy, **fields)  # fmt: skip
    session.add(record)
    session.flush()
    return record.id


@pytest.fixture
def session(config):
    """A session on the test's fresh database; no app needed, as the engine is plain code."""
    engine = make_engine(config.database.url)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


def names(session, query, viewer=ME, **kwargs) -> list[str]:
    return [hit.name for hit in search_alumni(session, viewer, query, **kwargs).hits]


def test_an_exact_name_ranks_before_names_that_start_with_it(session):
    add(session, "张伟明", 2020)
    add(session, "张伟", 2001)
    add(session, "张伟", 2015)
    add(session, "李伟", 2015)

    page = search_alumni(session, ME, "张伟")

    assert [(h.name, h.graduation_year) for h in page.hits] == [
        ("张伟", 2015), ("张伟", 2001), ("张伟明", 2020)]  # fmt: skip
    assert not page.has_more


def test_a_name_prefix_finds_every_name_that_starts_with_it(session):
    for name in ("张三", "张伟", "张伟明", "章伟"):
        add(session, name, 2010)
    assert sorted(names(session, "张")) == ["张三", "张伟", "张伟明"]
    assert names(session, "张伟明") == ["张伟明"]


def test_full_pinyin_exact_and_prefix(session):
    for name in ("张伟", "章伟", "张伟明", "张三", "赵伟"):
        add(session, name, 2010)
    assert sorted(names(session, "zhangwei")[:2]) == ["张伟", "章伟"]  # exact pinyin first
    assert names(session, "zhangwei")[2:] == ["张伟明"]
    assert sorted(names(session, "zhang")) == ["张三", "张伟", "张伟明", "章伟"]
    assert sorted(names(session, "Zhang Wei")[:2]) == ["张伟", "章伟"]  # spaces and case


def test_initials_exact_then_longer(session):
    for name in ("张伟", "周伟", "张伟明", "欧阳明玉", "欧阳明"):
        add(session, name, 2010)
    assert sorted(names(session, "zw")[:2]) == ["周伟", "张伟"]
    assert names(session, "zw")[2:] == ["张伟明"]
    assert names(session, "oymy") == ["欧阳明玉"]
    assert names(session, "oym") == ["欧阳明", "欧阳明玉"]


@pytest.mark.parametrize("name, typed", [
    ("单晓明", "shanxiaoming"), ("单晓明", "shan"), ("单晓明", "sxm"),
    ("曾小贤", "zengxiaoxian"), ("曾小贤", "zeng"),
    ("解晓东", "xiexiaodong"), ("覃强", "qinqiang"), ("区志伟", "ouzhiwei"),
    ("仇英", "qiuying"), ("朴树", "piaoshu"), ("查良镛", "zhaliangyong"),
    ("吕雯", "lvwen"), ("吕雯", "lüwen"), ("吕雯", "luwen"), ("吕雯", "lyuwen"), ("吕雯", "lv"),
    ("欧阳娜娜", "ouyangnana"), ("欧阳娜娜", "oynn"),
])  # fmt: skip
def test_special_surnames_are_found_by_their_surname_reading(session, name, typed):
    add(session, name, 2010)
    add(session, "王五", 2010)
    assert names(session, typed) == [name]


def test_a_polyphonic_surname_is_not_found_by_its_other_reading(session):
    add(session, "单晓明", 2010)
    add(session, "曾小贤", 2010)
    assert names(session, "danxiaoming") == []
    assert names(session, "cengxiaoxian") == []


def test_lu_finds_lu_as_typed_first_then_lv(session):
    add(session, "吕雯", 2016)
    add(session, "陆文", 2010)
    assert names(session, "luwen") == ["陆文", "吕雯"]


@pytest.mark.parametrize("query, expected", [
    ("2012", ["甲"]),
    ("计算机学院", ["甲"]),
    ("软件工程", ["甲"]),
    ("软工2012-1班", ["甲"]),
    ("北京", ["甲"]),
    ("腾讯", ["甲"]),
    ("互联网", ["甲"]),
    ("计算机", ["甲"]),  # the start of a college (two characters or more)
    ("软工2012", ["甲"]),  # the start of a class
    ("中国", ["乙"]),  # the start of an employer
    ("上海", ["乙"]),
    ("金融", ["乙"]),  # an industry; also 金融学 by its start, which 乙 studied
])  # fmt: skip
def test_year_college_major_class_city_employer_and_industry(session, query, expected):
    add(session, "甲", 2012, college="计算机学院", major="软件工程", class_name="软工2012-1班",
        city="北京", employer="腾讯", industry="互联网")  # fmt: skip
    add(session, "乙", 2013, college="经济管理学院", major="金融学", class_name="金融2009-1班",
        city="上海", employer="中国银行", industry="金融")  # fmt: skip
    assert names(session, query) == expected


def test_a_one_character_word_matches_no_column_by_its_start(session):
    add(session, "甲", 2012, city="北京")
    assert names(session, "北") == []


def test_city_and_employer_are_the_current_ones(session):
    add(session, "甲", 2012, city="北京", employer="腾讯", profile_city="成都",
        profile_employer="自己的公司")  # fmt: skip

    [hit] = search_alumni(session, ME, "成都").hits

    assert (hit.city, hit.employer) == ("成都", "自己的公司")
    assert names(session, "北京") == [] and names(session, "自己的公司") == ["甲"]


def test_several_words_narrow_the_result(session):
    add(session, "张伟", 2012, city="北京", college="计算机学院")
    add(session, "张伟", 2013, city="上海", college="计算机学院")
    add(session, "张伟", 2012, city="上海", college="法学院")
    add(session, "周伟", 2012, city="北京", college="法学院")

    assert len(names(session, "张伟 2012")) == 2
    assert names(session, "zw 北京") == ["周伟", "张伟"]  # one year: the later record first
    assert [
        h.graduation_year for h in search_alumni(session, ME, "zhangwei 上海 计算机学院").hits
    ] == [2013]
    assert names(session, "2012 北京 法学院") == ["周伟"]
    assert names(session, "张伟 深圳") == []  # a word nothing holds


def test_ranks_are_exact_before_prefix_and_newest_first_within_a_rank(session):
    add(session, "张伟", 2010)
    add(session, "张伟", 2020)
    add(session, "周伟", 2015)
    add(session, "张伟明", 2021)
    add(session, "张维", 2000)

    def ranked(query):
        return [(h.name, h.graduation_year) for h in search_alumni(session, ME, query).hits]

    assert ranked("张伟") == [("张伟", 2020), ("张伟", 2010), ("张伟明", 2021)]
    assert ranked("zhangwei") == [("张伟", 2020), ("张伟", 2010), ("张维", 2000), ("张伟明", 2021)]
    assert ranked("zw") == [("张伟", 2020), ("周伟", 2015), ("张伟", 2010), ("张维", 2000),
                            ("张伟明", 2021)]  # fmt: skip
    assert ranked("zhangw") == [("张伟", 2020), ("张伟", 2010), ("张维", 2000), ("张伟明", 2021)]


def test_text_matches_rank_a_name_before_a_column(session):
    add(session, "华为民", 2010)
    add(session, "甲", 2015, employer="华为")
    assert names(session, "华为") == ["华为民", "甲"]


def test_paging_ten_at_a_time_with_has_more(session):
    for year in range(2000, 2025):
        add(session, "王芳", year)

    pages = [search_alumni(session, ME, "王芳", page=n) for n in (1, 2, 3, 4)]

    assert [len(p.hits) for p in pages] == [10, 10, 5, 0]
    assert [p.has_more for p in pages] == [True, True, False, False]
    years = [h.graduation_year for p in pages for h in p.hits]
    assert years == list(range(2024, 1999, -1))
    assert (pages[1].page, pages[1].per_page) == (2, 10)


def test_pages_run_across_ranks_without_repeats_or_gaps(session):
    for year in range(2000, 2008):
        add(session, "张伟", year)
        add(session, "张伟明", year)
        add(session, "章伟", year)
        add(session, "周伟", year)
    everyone = search_alumni(session, ME, "zw", per_page=100).hits

    paged = [hit for n in range(1, 5) for hit in search_alumni(session, ME, "zw", page=n,
                                                                per_page=9).hits]  # fmt: skip

    assert len(everyone) == 32 and paged == list(everyone)
    assert len({hit.alumnus_id for hit in paged}) == 32


@pytest.mark.parametrize("privacy, college, year, seen", [
    (PUBLIC, "文学院", 2000, True),
    (CLASSMATES, "计算机学院", 2016, True),  # my class
    (CLASSMATES, "计算机学院", 2017, False),  # my college, another year
    (CLASSMATES, "法学院", 2016, False),  # my year, another college
    (HIDDEN, "计算机学院", 2016, False),  # hidden even from my class
])  # fmt: skip
def test_who_sees_whom(session, privacy, college, year, seen):
    add(session, "甲", year, college=college, privacy=privacy)
    assert (names(session, "甲") == ["甲"]) is seen


def test_an_unbound_record_is_seen_by_its_classmates_only(session):
    pinyin, initials = name_search_keys("甲")
    session.add(Alumnus(student_id="U1", name="甲", graduation_year=2016, college="计算机学院",
                        name_key="甲", search_pinyin=pinyin, search_initials=initials,
                        imported_at=IMPORTED))  # fmt: skip
    session.flush()
    other = Viewer(wechat_user_id=2, classes=frozenset({("法学院", 2016)}))
    assert names(session, "甲") == ["甲"] and names(session, "甲", other) == []


def test_a_viewer_with_two_classes_and_one_without_any(session):
    add(session, "甲", 2016, college="计算机学院", privacy=CLASSMATES)
    add(session, "甲", 2019, college="计算机学院", privacy=CLASSMATES)
    add(session, "甲", 2019, college=None, privacy=CLASSMATES)
    add(session, "甲", 2000, privacy=PUBLIC)
    two = Viewer(wechat_user_id=3, classes=frozenset({("计算机学院", 2016), ("计算机学院", 2019)}))
    no_college = Viewer(wechat_user_id=4, classes=frozenset({(None, 2019)}))
    nobody = Viewer(wechat_user_id=5, classes=frozenset())

    assert [h.graduation_year for h in search_alumni(session, two, "甲").hits] == [2019, 2016, 2000]
    assert [h.college for h in search_alumni(session, no_college, "甲").hits] == [None, "文学院"]
    assert [h.graduation_year for h in search_alumni(session, nobody, "甲").hits] == [2000]


def test_a_hit_shows_no_phone_and_no_email(session):
    add(session, "甲", 2012, phone="13812345678", email="jia@example.com", degree="硕士",
        major="软件工程", city="北京", employer="腾讯")  # fmt: skip

    [hit] = search_alumni(session, ME, "甲").hits

    assert [f.name for f in dataclasses.fields(Hit)] == [
        "alumnus_id",
        "name",
        "degree",
        "graduation_year",
        "college",
        "major",
        "city",
        "employer",
    ]
    assert (hit.name, hit.degree, hit.graduation_year, hit.college, hit.major, hit.city,
            hit.employer) == ("甲", "硕士", 2012, "文学院", "软件工程", "北京", "腾讯")  # fmt: skip
    assert "13812345678" not in repr(hit) and "jia@example.com" not in repr(hit)
    assert names(session, "13812345678") == [] and names(session, "jia@example.com") == []


def test_the_mini_programs_filters_narrow_too(session):
    add(session, "张伟", 2012, college="计算机学院", city="北京")
    add(session, "张伟", 2012, college="法学院", city="北京")
    add(session, "张伟", 2013, college="计算机学院", city="上海")

    def years_and_colleges(query, **filters):
        page = search_alumni(session, ME, query, filters=SearchFilters(**filters))
        return [(h.graduation_year, h.college) for h in page.hits]

    assert years_and_colleges("张伟", year=2012, college="计算机学院") == [(2012, "计算机学院")]
    assert years_and_colleges("zw", city="上海") == [(2013, "计算机学院")]
    assert years_and_colleges("", college="法学院") == [(2012, "法学院")]


def test_a_latin_name_is_found_by_its_letters(session):
    add(session, "John Smith", 2010)
    assert names(session, "john smith") == ["John Smith"]
    assert names(session, "JOHNSMITH") == ["John Smith"]
    assert names(session, "js") == ["John Smith"]


@pytest.mark.parametrize("query, message", [
    ("", "请告诉我要找谁"),
    ("   ，", "请告诉我要找谁"),
    ("a b 2012 c 北京 上海", "最多 5 个词"),
    ("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三", "太长了"),
])  # fmt: skip
def test_queries_that_cannot_be_searched_say_why_in_chinese(session, query, message):
    with pytest.raises(QueryError, match=message):
        search_alumni(session, ME, query)


def test_a_page_below_one_is_refused(session):
    with pytest.raises(QueryError, match="页码"):
        search_alumni(session, ME, "张伟", page=0)


def test_full_width_and_punctuation_are_tolerated(session):
    add(session, "张伟", 2012, city="北京")
    assert names(session, "张伟，２０１２") == ["张伟"]
    assert names(session, "ＺＨＡＮＧＷＥＩ　北京") == ["张伟"]


def test_the_planner_settings_of_a_search_do_not_outlive_it(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL planner settings")
    add(session, "张伟", 2012)
    names(session, "zhang")
    settings = ("plan_cache_mode", "enable_bitmapscan", "enable_seqscan")
    shown = [session.execute(text(f"SHOW {name}")).scalar() for name in settings]
    assert shown == ["auto", "on", "on"]



def test_a_search_whose_transaction_then_ends_sets_the_planner_once_and_never_puts_it_back(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL planner settings")
    import psycopg

    add(session, "张伟", 2012)
    sent = []

    class Recording(psycopg.Cursor):  # what reaches the server, whoever sends it
        def execute(self, query, params=None, **kwargs):
            sent.append(str(query))
            return super().execute(query, params, **kwargs)

    raw = session.connection().connection.driver_connection
    raw.cursor_factory = Recording
    try:
        names(session, "zhang")
        names(session, "张伟")  # a second search in the same transaction starts from the defaults
        session.commit()
    finally:
        raw.cursor_factory = psycopg.Cursor
    assert sum("set_config" in statement for statement in sent) == 3  # set, put back, set
    with session.begin():
        shown = [session.execute(text(f"SHOW {name}")).scalar()
                 for name in ("plan_cache_mode", "enable_bitmapscan", "enable_seqscan")]
    assert shown == ["auto", "on", "on"]


def test_a_word_with_percent_or_colon_signs_is_searched_as_typed(session):
    add(session, "张伟", 2016, employer="100%:p1科技")
    assert names(session, "100%:p1科技") == ["张伟"]
    assert names(session, "100%") == ["张伟"]


def test_a_searcher_read_on_a_dropped_connection_fails_once_then_the_pool_connects_afresh(config):
    """The bot's search starts by reading the searcher on the driver's cursor (load_viewer); a
    connection the server dropped must still reach SQLAlchemy, which invalidates the pool, so
    the next search is answered."""
    from sqlalchemy import exc

    from handlers.directory.searching import load_viewer

    engine = make_engine(config.database.url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        pytest.skip("a server that drops connections: PostgreSQL only")
    factory, killer = make_session_factory(engine), make_engine(config.database.url)
    try:
        with factory() as session:
            pid = session.connection().scalar(text("SELECT pg_backend_pid()"))
            session.commit()  # the connection goes back to the pool
        with killer.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            other.commit()

        with factory() as session, pytest.raises(exc.DBAPIError) as failed:
            load_viewer(session, 1)
        assert failed.value.connection_invalidated
        with factory() as session:
            assert load_viewer(session, 1) is None  # answered: no such user
            assert names(session, "张伟") == []
    finally:
        killer.dispose()
        engine.dispose()
