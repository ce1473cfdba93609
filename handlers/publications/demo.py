"""What `alumni-bot demo` seeds for 新闻: a few items in each category, older than the reunion's
(handlers.reunion.demo adds the newest of each), some with an uploaded cover drawn here, so 新闻,
the NEWS button, `GET /api/v1/news` and the library page have something to show. Once."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator

from PIL import Image, ImageDraw
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from handlers.publications.files import Upload, check_cover, store_upload
from handlers.publications.library import PublicationInput, add_publication
from models.publication import Publication

ACTOR = "demo-news"
# category, title, summary, days ago, cover colour (None: no cover)
ITEMS = (
    ("校园新闻", "我校获批两个国家级一流本科专业建设点", "计算机科学与技术、环境工程入选。", 3, (32, 94, 160)),
    ("校园新闻", "2026 年秋季运动会圆满落幕", "三千余名师生参加，打破两项校纪录。", 9, (196, 80, 40)),
    ("校园新闻", "校友捐建的创新创业中心奠基", "中心建成后面向在校生与校友团队开放。", 16, None),
    ("校报", "校报第 1288 期：秋季学期开学典礼", "校长寄语新生：做有温度的学问。", 12, (120, 40, 40)),
    ("校报", "校报第 1287 期：暑期社会实践专刊", "百支团队走进乡村学校与社区。", 30, None),
    ("校友通讯", "校友通讯 2026 年第 3 期", "上海、深圳校友会换届；校友企业招聘信息。", 40, (30, 120, 90)),
    ("校友通讯", "校友通讯 2026 年第 2 期", "毕业三十年返校纪实；校友讲坛回顾。", 120, None),
    ("校史", "老校门的故事", "1958 年建成的老校门，见证了六十余届毕业生。", 60, (110, 90, 60)),
    ("校史", "第一届毕业生的毕业照", "照片背后的名字，我们找到了其中三十二位。", 90, None),
)


def draw_cover(colour: tuple[int, int, int]) -> bytes:
    """A 900×500 PNG (WeChat's suggested cover size): a band of the colour, lighter below."""
    image = Image.new("RGB", (900, 500), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 90) for c in colour)
    draw.rectangle((0, 330, 900, 500), fill=light)
    draw.ellipse((640, 60, 840, 260), outline=(255, 255, 255), width=12)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed_demo_news(session: Session, *, now: dt.datetime, base_url: str,
                   file_url: Callable[[Upload], str]) -> Iterator[str]:
    """Seed the items (each linking to the sandbox's stand-in page); yields one line."""
    if session.scalar(select(exists().where(Publication.created_by == ACTOR))):
        return
    covers = 0
    for category, title, summary, days, colour in ITEMS:
        cover = check_cover(draw_cover(colour)) if colour else None
        row = add_publication(session, PublicationInput(
            category, title, f"{base_url}/sandbox/", summary,
            file_url(cover) if cover else ""), by=ACTOR, now=now - dt.timedelta(days=days))
        row.url = f"{base_url}/sandbox/publications/{row.id}"  # the sandbox's stand-in page
        if cover:
            store_upload(session, row, cover, by=ACTOR, now=now)
            covers += 1
    yield (f"演示数据：新闻与刊物另有 {len(ITEMS)} 篇（{covers} 篇带上传的封面），"
           "公众号发送「新闻」或点「校园新闻」查看")
