"""The card's picture: Chinese drawn with a real CJK font (never boxes), long text cut to fit, no
private fields; a font that cannot draw Chinese, or none at all, stops start-up naming the key."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageChops, ImageFont

from handlers.card.fonts import NO_SUCH_GLYPH, FontMissing, draws_chinese, find_font
from handlers.card.holder import CardHolder, Degree
from handlers.card.render import HEIGHT, WIDTH, render_card
from wechat_bot.config import ConfigError, build_config

LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
ZONE = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 12, 7, 6, 30, tzinfo=dt.UTC)


def holder(name: str = "欧阳娜娜", *degrees: Degree) -> CardHolder:
    degrees = degrees or (Degree("本科", 2016, "计算机学院"), Degree("硕士", 2019, "经济管理学院"))
    return CardHolder(7, "示例大学", name, degrees, "stamp")


def picture(card: CardHolder, **kwargs) -> Image.Image:
    png = render_card(card, find_font(), drawn_at=AT, zone=ZONE, **kwargs)
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_the_found_font_draws_chinese_and_a_latin_one_does_not():
    assert draws_chinese(find_font().at(40))
    assert not draws_chinese(ImageFont.truetype(LATIN, 40))


def test_the_card_is_an_id_card_shaped_png_and_the_name_is_drawn_in_chinese(tmp_path):
    card = picture(holder())
    assert card.size == (WIDTH, HEIGHT)
    card.save(tmp_path / "card.png")  # kept for a look: pytest --basetemp=… then open card.png
    # The name's strip differs between two names of the same length: glyphs, not one box shape.
    other = picture(holder("王小明明"))
    strip = (60, 200, 600, 300)
    assert ImageChops.difference(card.crop(strip), other.crop(strip)).getbbox() is not None
    # And it differs from the same name drawn as missing glyphs (what boxes would look like).
    boxes = picture(holder(NO_SUCH_GLYPH * 4))
    assert ImageChops.difference(card.crop(strip), boxes.crop(strip)).getbbox() is not None


def test_a_very_long_college_is_cut_inside_the_card():
    long = Degree("博士", 2020, "人工智能与自动化学院（研究生院与企业联合培养项目）" * 3)
    card = picture(holder("李雷", long), code="AC1.7.29400000.ABCDEFGHIJKLMNOP")
    # The text column ends before the QR's white square: nothing drawn between them.
    gap = card.crop((WIDTH - 60 - 300 - 36, 320, WIDTH - 60 - 300 - 12, 360)).convert("L")
    assert gap.getextrema()[1] < 120  # dark navy only, no white text under the QR


def test_four_degrees_show_the_latest_three_and_say_there_is_one_more():
    degrees = [Degree(d, y, "计算机学院") for d, y in (("本科", 2010), ("硕士", 2013), ("博士", 2017),
                                                       ("博士后", 2019))]
    three = picture(holder("李雷", *degrees))
    assert three.size == (WIDTH, HEIGHT)
    # The fourth line's place holds the note (muted text), not blank.
    assert ImageChops.difference(three.crop((60, 470, 400, 500)),
                                 picture(holder("李雷", *degrees[1:])).crop((60, 470, 400, 500))
                                 ).getbbox() is not None


def test_a_configured_font_without_chinese_stops_start_up_naming_the_key():
    with pytest.raises(ConfigError, match=r"card\.font_path") as refused:
        build_config({"card": {"font_path": LATIN}})
    assert "不含中文字形" in str(refused.value) and "fonts-noto-cjk" in str(refused.value)


def test_a_configured_font_that_is_not_there_stops_start_up():
    with pytest.raises(ConfigError, match=r"card\.font_path.*字体文件不存在"):
        build_config({"card": {"font_path": "/nowhere/font.ttc"}})


def test_a_configured_cjk_font_is_used(tmp_path):
    found = find_font()
    assert build_config({"card": {"font_path": found.path}}).card.font_path == found.path


def test_a_search_finding_only_a_latin_font_says_what_to_install():
    with pytest.raises(FontMissing, match="apt-get install fonts-noto-cjk"):
        find_font("", (LATIN, "/nowhere/font.ttc"))
