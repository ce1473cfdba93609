"""The push categories an alumnus may opt out of (SPEC 5: 退订 <类别>).

A category is stored by its key (`push.category`, `push_opt_out.category`) and shown by its
Chinese name; staff and alumni may type either. News categories join here later.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    about: str  # what it carries, for the alumnus choosing


CATEGORIES = (
    Category("notice", "校友会通知", "校友会的通知与公告"),
    Category("events", "活动", "校友活动的报名与提醒"),
    Category("reunion", "返校", "秩年返校的安排"),
    Category("chapters", "分会", "所在地区或行业分会的消息"),
    Category("circles", "校友圈", "所加入校友圈的圈通知"),
)
BY_KEY = {c.key: c for c in CATEGORIES}
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


def labels() -> str:
    return "、".join(c.label for c in CATEGORIES)


def label_of(key: str | None) -> str:
    """The Chinese name of a stored category; None is what always goes."""
    if key is None:
        return "必达通知（不可退订）"
    category = BY_KEY.get(key)
    return category.label if category else key
