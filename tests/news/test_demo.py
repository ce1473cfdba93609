"""The demo's news: a few items in every category, some with a cover served from the database, so
the NEWS button shows a full set of cards and the library page has something in each tab. Once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from handlers.publications.categories import CATEGORIES
from models.publication import Publication, PublicationFile
from tests.news.support import news_reply
from tests.sandbox.support import build_app, close_app, with_sandbox
from tests.wechat import click_xml
from wechat_bot.seed import seed_demo, seed_news


@pytest.fixture
def demo(config):
    app = build_app(with_sandbox(config))
    runtime = app.extensions["alumni_bot"]
    lines = list(seed_demo(runtime, alumni=50, sandbox=app.extensions["sandbox"]))
    yield app, runtime, lines
    close_app(app)


def test_the_demo_has_items_in_every_category_with_covers_and_seeds_them_once(demo):
    app, runtime, lines = demo
    assert any("新闻与刊物另有" in line for line in lines)
    with runtime.sessions() as session:
        counts = dict(session.execute(select(Publication.category, func.count())
                                      .group_by(Publication.category)).all())
        assert all(counts.get(category, 0) >= 3 for category in CATEGORIES), counts
        covers = session.scalars(select(PublicationFile)).all()
        assert covers and all(f.content_type == "image/png" for f in covers)
    token = covers[0].token
    client = app.test_client()
    assert client.get(f"/api/v1/news/files/{token}.png").status_code == 200
    kind, articles = news_reply(client, runtime.config.wechat.token, click_xml("o-demo", "NEWS"))
    assert kind == "news" and len(articles) == 8
    assert list(seed_news(runtime)) == []
