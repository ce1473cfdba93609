"""The templates the sandbox knows, the rules their data must follow, subscribe-message consents.

Template and subscribe-message data is typed by its key (thing1, time2, …), and WeChat refuses a
value its type does not allow with 47003 — `thing` at most 20 characters, `phrase` at most 5, and so
on. The sandbox applies the same rules so an over-long event name fails here, not in production.
More templates can be registered at run time (POST /sandbox/api/_templates) for features that
need them.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from wechat_bot.sandbox.errors import ApiError
from wechat_bot.sandbox.state import SandboxStore

PLACEHOLDER = re.compile(r"\{\{(\w+)\.DATA\}\}")
_DATE = r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
_CLOCK = r"\d{1,2}:\d{2}(:\d{2})?"
_MOMENT = re.compile(rf"^(({_DATE})(\s*{_CLOCK})?|{_CLOCK})$")
# key prefix -> (longest value in characters, pattern the value must match or None)
RULES: dict[str, tuple[int, re.Pattern | None]] = {
    "thing": (20, None),
    "name": (20, None),
    "phrase": (5, re.compile(r"^[\u4e00-\u9fff]+$")),
    "number": (32, re.compile(r"^-?\d+(\.\d+)?$")),
    "letter": (32, re.compile(r"^[A-Za-z]+$")),
    "symbol": (5, re.compile(r"^[^\w\s]+$")),
    "character_string": (32, re.compile(r"^[\x21-\x7e]+$")),
    "amount": (32, re.compile(r"^[¥￥]?\d+(\.\d{1,2})?元?$")),
    "phone_number": (17, re.compile(r"^[\d+\-() ]+$")),
    "car_number": (8, None),
    "time": (64, None),  # checked by _valid_moment
    "date": (64, None),
}


@dataclass(frozen=True)
class Template:
    template_id: str
    kind: str  # "template" (template message) or "subscribe" (subscribe message / 订阅通知)
    title: str
    content: str

    @property
    def keys(self) -> list[str]:
        return PLACEHOLDER.findall(self.content)

    def as_dict(self) -> dict:
        return asdict(self)


BUILTIN: tuple[Template, ...] = (
    Template(
        "alumni-sandbox-tpl-event-reminder",
        "template",
        "活动开始提醒",
        "活动名称：{{thing1.DATA}}\n活动时间：{{time2.DATA}}\n活动地点：{{thing3.DATA}}",
    ),
    Template(
        "alumni-sandbox-tpl-reunion-result",
        "template",
        "返校预约审核结果",
        "预约编号：{{character_string1.DATA}}\n返校日期：{{time2.DATA}}\n审核结果：{{phrase3.DATA}}",
    ),
    Template(
        "alumni-sandbox-tpl-waitlist",
        "template",
        "候补转正通知",
        "活动名称：{{thing1.DATA}}\n活动时间：{{time2.DATA}}\n当前状态：{{phrase3.DATA}}",
    ),
    Template(
        "alumni-sandbox-tpl-notice",
        "template",
        "校友会通知",
        "通知内容：{{thing1.DATA}}\n发布单位：{{thing2.DATA}}\n发布时间：{{time3.DATA}}",
    ),
    Template(
        "alumni-sandbox-sub-event-reminder",
        "subscribe",
        "活动提醒",
        "活动名称：{{thing1.DATA}}\n开始时间：{{time2.DATA}}\n活动地点：{{thing3.DATA}}",
    ),
    Template(
        "alumni-sandbox-sub-reunion-result",
        "subscribe",
        "返校预约结果通知",
        "预约编号：{{character_string1.DATA}}\n返校日期：{{date2.DATA}}\n审核结果：{{phrase3.DATA}}",
    ),
)


def _valid_moment(value: str) -> bool:
    """A time value: a date, a date and time, a clock time, or a range of them joined by ~."""
    return all(_MOMENT.match(part.strip()) for part in value.split("~"))


def check_data(template: Template, data) -> dict[str, str]:
    """The data's values by key, or 47003 naming the first key that WeChat would refuse."""
    if not isinstance(data, dict):
        raise ApiError(47003, "data must be an object")
    values: dict[str, str] = {}
    for key in template.keys:
        item = data.get(key)
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise ApiError(47003, f"data.{key}.value missing")
        prefix = key.rstrip("0123456789")
        longest, pattern = RULES.get(prefix, (200, None))
        if len(value) > longest:
            raise ApiError(47003, f"data.{key}.value longer than {longest}")
        if pattern is not None and not pattern.match(value):
            raise ApiError(47003, f"data.{key}.value not a {prefix}")
        if prefix in ("time", "date") and not _valid_moment(value):
            raise ApiError(47003, f"data.{key}.value not a {prefix}")
        values[key] = value
    return values


def render(template: Template, values: dict[str, str]) -> list[list[str]]:
    """The card's rows as WeChat shows them: [label, value] per line of the template."""
    rows = []
    for line in template.content.splitlines():
        label, _, placeholder = line.partition("：")
        match = PLACEHOLDER.search(placeholder or label)
        rows.append(
            [label if placeholder else "", values.get(match.group(1), "") if match else line]
        )
    return rows


class Catalog:
    def __init__(self, store: SandboxStore) -> None:
        self._store = store

    def all(self) -> list[Template]:
        extra = self._store.redis.hgetall(self._store.key("templates"))
        added = [Template(**json.loads(raw)) for raw in extra.values()]
        return list(BUILTIN) + sorted(added, key=lambda t: t.template_id)

    def find(self, template_id, kind: str) -> Template:
        for template in self.all():
            if template.template_id == template_id and template.kind == kind:
                return template
        raise ApiError(40037)

    def register(self, template: Template) -> None:
        self._store.redis.hset(
            self._store.key("templates"),
            template.template_id,
            json.dumps(template.as_dict(), ensure_ascii=False),
        )

    # Subscribe-message consents: each wx.requestSubscribeMessage "accept" allows one send.
    def _consent_key(self, openid: str, template_id: str) -> str:
        return self._store.key("consent", openid, template_id)

    def grant(self, openid: str, template_id: str, count: int = 1) -> int:
        return int(self._store.redis.incrby(self._consent_key(openid, template_id), count))

    def consents(self, openid: str, template_id: str) -> int:
        return int(self._store.redis.get(self._consent_key(openid, template_id)) or 0)

    def spend_consent(self, openid: str, template_id: str) -> None:
        key = self._consent_key(openid, template_id)
        if int(self._store.redis.decr(key)) < 0:
            self._store.redis.incr(key)  # give back what was not there; 43101 is final
            raise ApiError(43101)
