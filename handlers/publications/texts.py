"""Every Chinese text of 新闻 and of a new item's push to subscribers."""

from __future__ import annotations

from handlers.publications.categories import CATEGORIES

EXAMPLES = "、".join(f"「新闻 {c}」" for c in CATEGORIES)
NONE_YET = "学校还没有发布新闻和刊物，敬请期待。"
NONE_IN = "还没有{category}。发送「新闻」查看最新的新闻和刊物。"
PAST_END = "{what}一共 {count} 篇，没有第 {index} 篇。发送「{again}」从最新的看起。"
UNKNOWN = "没有「{word}」这一类。可发送" + EXAMPLES + "，或「新闻」看最新的。"
# Under the one card a reply to a message may carry: how to reach the rest.
MORE = "第 {index}/{count} 篇。发送「{next}」看下一篇"
BY_CATEGORY = "；按类别看：发送「新闻 校报」「新闻 校友通讯」等"
SUBSCRIBE = "。订阅：发送「订阅 {category}」，有新的{category}时推送给您。"
# The push to a category's subscribers: the text (what a channel without news cards sends)
ANNOUNCE = "【{category}】{title}\n{summary}{url}\n（您订阅了{category}；发送「退订 {category}」可取消）"
