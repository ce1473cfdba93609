"""The push categories an alumnus may opt out of (SPEC 5: 退订 <类别>).

A category is stored by its key (`push.category`, `push_opt_out.category`) and shown by its
Chinese name; staff and alumni may type either. The news categories (the publications library's,
issue 24) are opt-in: nobody gets them until they ask (`订阅 校友通讯`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    about: str  # what it carries, for the alumnus choosing
    # Opt-in: nobody receives it until they subscribe (the news categories); otherwise everyone
    # does until they opt out.
    opt_in: bool = False


CATEGORIES = (
    Category("notice", "校友会通知", "校友会的通知与公告"),
    Category("events", "活动", "校友活动的报名与提醒"),
    Category("reunion", "返校", "秩年返校的安排"),
    Category("chapters", "分会", "所在地区或行业分会的消息"),
    Category("circles", "校友圈", "所加入校友圈的圈通知"),
    # the publications library's categories (handlers.publications.categories), by the same names
    Category("news-campus", "校园新闻", "学校新发布的校园新闻", opt_in=True),
    Category("news-paper", "校报", "新一期校报", opt_in=True),
    Category("news-letter", "校友通讯", "新一期校友通讯", opt_in=True),
    Category("news-history", "校史", "校史文章", opt_in=True),
)
BY_KEY = {c.key: c for c in CATEGORIES}
BY_LABEL = {c.label: c for c in CATEGORIES}
DEFAULT = "notice"  # a broadcast that names none (the CLI's --category default)


class UnknownCategory(ValueError):
    """str() is a Chinese line naming the categories there are."""


def find_category(word: str) -> Category:
    """活动 / events / 活动通知 → the 活动 category; UnknownCategory names the choices."""
    word = word.strip()
    for category in CATEGORIES:
        if word in (category.key, category.label):
            return category
    for category in CATEGORIES:  # 活动通知, 分会消息: the name with a word added
        if word.startswith(category.label):
            return category
    raise UnknownCategory(f"没有「{word}」这个推送类别，可选：{labels()}")


def is_opt_in(key: str | None) -> bool:
    category = BY_KEY.get(key or "")
    return bool(category and category.opt_in)


def labels() -> str:
    return "、".join(c.label for c in CATEGORIES)


def label_of(key: str | None) -> str:
    """The Chinese name of a stored category; None is what always goes."""
    if key is None:
        return "必达通知（不可退订）"
    category = BY_KEY.get(key)
    return category.label if category else key
