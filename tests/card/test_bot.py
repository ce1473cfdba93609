"""`校友卡` through the webhook: a bound alumnus gets the card as an image (uploaded to the sandbox
standing in for WeChat, which keeps it), an unbound one is told to bind first."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.card.support import add_holder
from tests.sandbox.support import LiveServer
from tests.wechat import post, say, text_xml
from wechat_bot.sandbox.api.media import media_content


@pytest.fixture
def server(config):
    live = LiveServer(config)
    yield live
    live.close()


def test_a_bound_alumnus_gets_the_card_as_an_image(server):
    add_holder(server.runtime, "o-card-bot")
    response = post(server.app.test_client(), server.runtime.config.wechat.token,
                    text_xml("o-card-bot", "校友卡"))
    xml = response.get_data(as_text=True)
    assert "<MsgType><![CDATA[image]]></MsgType>" in xml
    media_id = re.search(r"<MediaId><!\[CDATA\[(.+?)\]\]></MediaId>", xml).group(1)
    data, mimetype = media_content(server.sandbox, media_id)
    assert mimetype == "image/png"
    assert Image.open(io.BytesIO(data)).size == (1000, 630)


def test_an_unbound_follower_is_told_to_bind_first(server):
    answer = say(server.app.test_client(), server.runtime.config.wechat.token, "o-nobody", "校友卡")
    assert "已认证的校友" in answer and "绑定 姓名 学号" in answer


def test_the_english_alias_reaches_the_card_too(server):
    add_holder(server.runtime, "o-card-en")
    xml = post(server.app.test_client(), server.runtime.config.wechat.token,
               text_xml("o-card-en", "card")).get_data(as_text=True)
    assert "<MsgType><![CDATA[image]]></MsgType>" in xml
