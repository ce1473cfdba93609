"""新闻 (SPEC 5) and the NEWS menu button: the library's newest items as news cards.

WeChat's limits (PROTOCOL.md): a passive reply to a message carries one article, a reply to an
event (a menu click) up to eight. So the button shows the eight newest; a typed 新闻 shows the
newest one, and its card says how to reach the rest: 「新闻 2」 the next one, 「新闻 校报」 one
category, 「新闻 校报 2」 its second.
"""

from __future__ import annotations

import re

from handlers.context import Article, Context, News
from handlers.publications import categories, texts
from handlers.publications.library import shown, shown_count
from models.publication import Publication

EVENT_ARTICLES = 8      # a reply to an event
MESSAGE_ARTICLES = 1    # a reply to a message
DESCRIPTION_CHARS = 60  # the card shows two or three lines of it
NUMBERED = re.compile(r"(.*?)\s*#?(?:第?(\d{1,4})篇?)?", re.S)  # 校报 2, 校报2, 第2篇


def news_command(ctx: Context):
    """新闻 · 新闻 <类别> · 新闻 [<类别>] <第几篇>; the menu's NEWS click."""
    match = NUMBERED.fullmatch(ctx.args.strip())
    word, index = match.group(1).strip(), int(match.group(2) or 1)
    category = None
    if word:
        category = categories.find("".join(word.split()))
        if category is None:
            return texts.UNKNOWN.format(word=word)
    if ctx.message.is_event:
        return _menu_cards(ctx, category)
    return _one_card(ctx, category, index)


def _menu_cards(ctx: Context, category: str | None):
    rows = shown(ctx.session, category, limit=EVENT_ARTICLES)
    if not rows:
        return _none(category)
    return News(tuple(_article(row, _cut(row.summary)) for row in rows))


def _one_card(ctx: Context, category: str | None, index: int):
    count = shown_count(ctx.session, category)
    if count == 0:
        return _none(category)
    command = f"新闻 {category}" if category else "新闻"
    if index < 1 or index > count:
        return texts.PAST_END.format(what=category or "新闻和刊物", count=count, index=index,
                                     again=command)
    [row] = shown(ctx.session, category, offset=index - 1, limit=MESSAGE_ARTICLES)
    more = []
    if index < count:
        more.append(texts.MORE.format(index=index, count=count, next=f"{command} {index + 1}"))
    hint = ("".join(more) + (texts.BY_CATEGORY if category is None else "")).lstrip("；")
    hint += texts.SUBSCRIBE.format(category=row.category).lstrip("。" if not hint else "")
    return News((_article(row, f"{_cut(row.summary)}\n{hint}"),))


def _article(row: Publication, description: str) -> Article:
    """The card: the title as the library keeps it (64 at most), the category before the text."""
    return Article(title=row.title, description=f"【{row.category}】{description}".rstrip(),
                   url=row.url, picture_url=row.picture_url or "")


def _cut(summary: str | None) -> str:
    text = " ".join((summary or "").split())
    return text if len(text) <= DESCRIPTION_CHARS else text[:DESCRIPTION_CHARS] + "…"


def _none(category: str | None) -> str:
    return texts.NONE_IN.format(category=category) if category else texts.NONE_YET
