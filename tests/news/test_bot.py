"""新闻 and the NEWS button through the signed webhook: news cards within WeChat's limits — one
article in a reply to a message, up to eight to a menu click — and the rest one command away."""

from __future__ import annotations

from tests.news.support import add_items, news_reply
from tests.wechat import click_xml, say, text_xml


def test_a_typed_新闻_gets_one_card_the_newest_and_says_how_to_reach_the_rest(client, config,
                                                                          runtime):
    add_items(runtime, "校报", 3, days_ago=2)
    add_items(runtime, "校园新闻", 2, title="运动会")
    kind, articles = news_reply(client, config.wechat.token, text_xml("o-news", "新闻"))
    assert kind == "news" and len(articles) == 1
    [card] = articles
    assert card["Title"] == "运动会" and card["Url"] == "https://news.example.edu/校园新闻/0"
    assert card["Description"].startswith("【校园新闻】校园新闻摘要1")
    assert "第 1/5 篇" in card["Description"] and "「新闻 2」" in card["Description"]
    assert "「新闻 校报」" in card["Description"] and "「订阅 校园新闻」" in card["Description"]


def test_新闻_with_a_number_and_a_category_walks_through_every_item_one_card_at_a_time(
        client, config, runtime):
    add_items(runtime, "校报", 3)
    add_items(runtime, "校史", 1, days_ago=5)
    token = config.wechat.token
    seen = []
    for typed in ("新闻 校报", "新闻 校报 2", "新闻校报3"):
        kind, articles = news_reply(client, token, text_xml("o-news", typed))
        assert kind == "news" and len(articles) == 1
        seen.append(articles[0]["Title"])
    assert seen == ["校报第1篇", "校报第2篇", "校报第3篇"]
    _, [last] = news_reply(client, token, text_xml("o-news", "新闻 校报 3"))
    assert "第 3/3" not in last["Description"]  # the last one offers no next
    assert "一共 3 篇，没有第 4 篇" in say(client, token, "o-news", "新闻 校报 4")
    _, [history] = news_reply(client, token, text_xml("o-news", "新闻 4"))
    assert history["Title"] == "校史第1篇"


def test_the_news_button_gets_at_most_eight_cards_newest_first(client, config, runtime):
    add_items(runtime, "校园新闻", 6)
    add_items(runtime, "校友通讯", 5, days_ago=3)
    kind, articles = news_reply(client, config.wechat.token, click_xml("o-news", "NEWS"))
    assert kind == "news" and len(articles) == 8
    assert [a["Title"] for a in articles[:7]] == [f"校园新闻第{i}篇" for i in range(1, 7)] + ["校友通讯第1篇"]


def test_hidden_items_are_not_offered_and_an_empty_library_says_so(client, config, runtime):
    token = config.wechat.token
    assert "还没有发布新闻和刊物" in say(client, token, "o-news", "新闻")
    add_items(runtime, "校史", 2, hidden=True)
    assert "还没有校史" in say(client, token, "o-news", "新闻 校史")
    assert "没有「天气」这一类" in say(client, token, "o-news", "新闻 天气")


def test_the_news_button_on_an_empty_library_answers_in_words(client, config):
    from tests.wechat import post, reply_content

    answer = reply_content(post(client, config.wechat.token, click_xml("o-news", "NEWS"))
                           .get_data(as_text=True))
    assert "还没有发布新闻和刊物" in answer
