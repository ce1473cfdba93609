"""GET /chapters, GET /chapters/{id}, POST /chapters/{id}/members: the bot's 分会 and 加入分会."""

from __future__ import annotations

from sqlalchemy import select

from handlers.chapters.importing import import_chapters
from models import StaffAlert
from models.chapter import Chapter, ChapterLiaison
from models.push import Delivery, Push
from tests.chapters.support import NOW, WORLD, rows


def seed_chapters(runtime) -> dict[str, int]:
    with runtime.sessions.begin() as session:
        assert not import_chapters(session, rows(*WORLD), now=NOW).rejected
    with runtime.sessions() as session:
        return dict(session.execute(select(Chapter.name, Chapter.id)).all())


def names(answer) -> list[str]:
    return [item["name"] for item in answer.json()["items"]]


def test_chapters_by_city_province_country_and_industry(live):
    seed_chapters(live.runtime)
    token = live.login(live.person())
    suzhou = live.call("GET", "/chapters", token, params={"city": "苏州"})
    assert suzhou.status_code == 200
    body = suzhou.json()
    assert (body["matched"], body["understood_as"], body["total"]) == ("city", "苏州", 1)
    item = body["items"][0]
    assert (item["name"], item["city"], item["province"], item["country"], item["country_name"]) == \
        ("苏州校友会", "苏州", "江苏", "CN", "中国")
    assert item["liaisons"] == [{"name": "张伟", "contact": "微信 zhangwei_sz"}]
    assert item["members"] == 0
    assert sorted(names(live.call("GET", "/chapters", token, params={"city": "江苏"}))) == \
        ["南京校友会", "苏州校友会"]
    assert sorted(names(live.call("GET", "/chapters", token, params={"city": "美国"}))) == \
        ["旧金山湾区校友会", "纽约校友会"]
    assert names(live.call("GET", "/chapters", token, params={"city": "金融"})) == ["金融行业校友会"]


def test_chapters_nearest_first_from_a_point(live):
    seed_chapters(live.runtime)
    token = live.login(live.person())
    answer = live.call("GET", "/chapters", token, params={"lat": 40.758, "lng": -73.9855, "limit": 3})
    body = answer.json()
    assert body["matched"] == "nearest"
    assert names(answer) == ["纽约校友会", "旧金山湾区校友会", "伦敦校友会"]
    distances = [item["distance_km"] for item in body["items"]]
    assert distances == sorted(distances) and distances[0] < 10 and distances[2] > 5000


def test_chapters_without_a_query_lists_them_all(live):
    seed_chapters(live.runtime)
    answer = live.call("GET", "/chapters", live.login(live.person()), params={"limit": 50})
    assert answer.json()["total"] == len(WORLD) == len(answer.json()["items"])


def test_chapters_query_is_validated(live):
    token = live.login(live.person())
    for params in ({"lat": 91, "lng": 0}, {"lat": 0, "lng": 181}, {"limit": 0},
                   {"limit": 51}, {"lat": "north", "lng": 0}):
        answer = live.call("GET", "/chapters", token, params=params)
        assert answer.status_code == 422, params
        assert answer.json()["error"]["code"] == "validation_failed"


def test_half_a_point_is_no_point(live):
    seed_chapters(live.runtime)
    answer = live.call("GET", "/chapters", live.login(live.person()), params={"lat": 31.2})
    assert answer.status_code == 200 and answer.json()["matched"] == "name"   # every chapter


def test_a_city_query_with_a_point_gives_distances_from_it(live):
    seed_chapters(live.runtime)
    answer = live.call("GET", "/chapters", live.login(live.person()),
                       params={"city": "江苏", "lat": 31.23, "lng": 121.47})
    assert all(60 < item["distance_km"] < 300 for item in answer.json()["items"])


def test_chapters_need_a_login(live):
    assert live.call("GET", "/chapters").status_code == 401
    assert live.call("POST", "/chapters/1/members").status_code == 401


def test_one_chapter_and_whether_i_am_a_member(live, roster):
    ids = seed_chapters(live.runtime)
    token = live.bound_token(live.person(), "张伟", "2012010101")
    answer = live.call("GET", f"/chapters/{ids['苏州校友会']}", token)
    assert answer.status_code == 200
    assert (answer.json()["intro"], answer.json()["is_member"]) == ("姑苏城外", False)
    live.call("POST", f"/chapters/{ids['苏州校友会']}/members", token)
    assert live.call("GET", f"/chapters/{ids['苏州校友会']}", token).json()["is_member"] is True
    missing = live.call("GET", "/chapters/99999", token)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_joining_rules(live, roster):
    ids = seed_chapters(live.runtime)
    number = ids["纽约校友会"]
    unbound = live.login(live.person("未绑定"))
    refused = live.call("POST", f"/chapters/{number}/members", unbound)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_bound"

    token = live.bound_token(live.person(), "张伟", "2012010101")
    joined = live.call("POST", f"/chapters/{number}/members", token)
    assert joined.status_code == 201
    assert joined.json() == {"chapter_id": number, "joined": True, "members": 1}
    again = live.call("POST", f"/chapters/{number}/members", token)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_member"
    unknown = live.call("POST", "/chapters/99999/members", token)
    assert unknown.status_code == 404
    with live.runtime.sessions() as session:
        alert = session.scalars(select(StaffAlert).where(StaffAlert.kind == "chapter_join")).one()
        assert "张伟（2012届 计算机学院）" in alert.message   # the liaison is no bound alumnus


def test_a_bound_liaison_is_notified_through_the_outbox(live, roster):
    ids = seed_chapters(live.runtime)
    liaison_token = live.bound_token(live.person("联络员"), "李娜", "2013020202")
    with live.runtime.sessions.begin() as session:
        chapter = session.get(Chapter, ids["伦敦校友会"])
        chapter.liaisons = [ChapterLiaison(name="李娜", contact="london@x", alumnus_id=roster["lina"])]
    assert liaison_token
    member = live.bound_token(live.person(), "张伟", "2012010101")
    assert live.call("POST", f"/chapters/{ids['伦敦校友会']}/members", member).status_code == 201
    with live.runtime.sessions() as session:
        push = session.scalars(select(Push)).one()
        assert push.kind == "notification" and "【伦敦校友会】新成员：张伟" in push.text
        assert push.created_by == "chapters:join"  # staff can tell what caused it
        delivery = session.scalars(select(Delivery)).one()
        liaison_user = session.scalar(select(Chapter).where(Chapter.id == ids["伦敦校友会"])).liaisons[0]
        assert delivery.wechat_user_id is not None and liaison_user.alumnus_id == roster["lina"]
        assert session.scalars(select(StaffAlert).where(StaffAlert.kind == "chapter_join")).all() == []


def test_the_chapter_operations_are_in_the_openapi_document(live):
    paths = live.call("GET", "/openapi.json").json()["paths"]
    assert {"/api/v1/chapters", "/api/v1/chapters/{chapter_id}",
            "/api/v1/chapters/{chapter_id}/members"} <= set(paths)
    join = paths["/api/v1/chapters/{chapter_id}/members"]["post"]
    assert {"201", "401", "403", "404", "409"} <= set(join["responses"])


def test_a_chapter_number_beyond_any_id_is_not_found(live, roster):
    token = live.bound_token(live.person(), "张伟", "2012010101")
    assert live.call("GET", "/chapters/2147483648", token).status_code == 404
    assert live.call("POST", "/chapters/2147483648/members", token).status_code == 404
