"""GET /api/v1/news: the library for the mini-program, newest first, by category, ten a page,
without a login; hidden items are not in it."""

from __future__ import annotations

from urllib.parse import quote

from tests.news.support import add_items


def test_news_pages_newest_first_without_a_login(client, runtime):
    add_items(runtime, "校园新闻", 12)
    add_items(runtime, "校报", 2, days_ago=3)
    first = client.get("/api/v1/news")
    assert first.status_code == 200
    body = first.get_json()
    assert (body["total"], body["page"], body["per_page"], body["has_more"]) == (14, 1, 10, True)
    assert [i["title"] for i in body["items"]] == [f"校园新闻第{n}篇" for n in range(1, 11)]
    item = body["items"][0]
    assert set(item) == {"id", "category", "title", "summary", "url", "picture_url", "published_at"}
    second = client.get("/api/v1/news?page=2").get_json()
    assert [i["title"] for i in second["items"]] == ["校园新闻第11篇", "校园新闻第12篇",
                                                     "校报第1篇", "校报第2篇"]
    assert second["has_more"] is False


def test_news_by_category_leaves_out_the_others_and_the_hidden(client, runtime):
    add_items(runtime, "校友通讯", 2)
    add_items(runtime, "校友通讯", 1, hidden=True, title="撤下的一期")
    add_items(runtime, "校史", 3)
    body = client.get(f"/api/v1/news?category={quote('校友通讯')}").get_json()
    assert [i["title"] for i in body["items"]] == ["校友通讯第1篇", "校友通讯第2篇"]
    assert body["total"] == 2 and {i["category"] for i in body["items"]} == {"校友通讯"}


def test_an_unknown_category_or_page_is_a_422(client):
    assert client.get(f"/api/v1/news?category={quote('八卦')}").status_code == 422
    assert client.get("/api/v1/news?page=0").status_code == 422
    assert client.get("/api/v1/news?page=x").status_code == 422


def test_the_openapi_document_lists_news_and_its_files(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/news" in paths or "/news" in paths
    assert any("news/files" in p for p in paths)
