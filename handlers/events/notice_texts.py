"""The Chinese texts of the events' scheduled notices (reminders) and of announcements."""

from __future__ import annotations

import datetime as dt

WEEKDAYS = "一二三四五六日"


def when_label(at: dt.datetime) -> str:
    """A local start time as alumni read it: 2026年5月9日（星期六）09:00."""
    return f"{at.year}年{at.month}月{at.day}日（星期{WEEKDAYS[at.weekday()]}）{at:%H:%M}"


def hours_label(hours: float) -> str:
    """24 → "24 小时", 0.5 → "30 分钟"."""
    if hours < 1:
        return f"{round(hours * 60)} 分钟"
    return f"{hours:g} 小时"


# --- reminders (to each confirmed registrant, about their own registration) --------------------

REMIND = (
    "【活动提醒】您报名的活动「{title}」（编号 {event_id}）将在约 {ahead}后开始。\n"
    "时间：{when}\n"
    "地点：{place}"
)
REMIND_GUESTS = "随行：{guests} 位"
# The earlier reminder leaves room to change one's mind; the last one is about getting in.
REMIND_EARLY_TAIL = "如不能参加，请发送「取消报名 {event_id}」，把名额留给候补的校友。"
REMIND_LAST_TAIL = "到场后用微信扫描签到二维码即可签到；发送「我的活动」查看您的报名。"

# --- announcements (to the event's audience, honouring the 活动 consent) -----------------------

ANNOUNCE = (
    "【活动报名】{title}\n"
    "时间：{when}\n"
    "地点：{place}\n"
    "{seats}\n"
    "回复「报名 {event_id}」即可报名；发送「活动」查看全部活动。"
)
SEATS = "名额：{seats} 人"
SEATS_LEFT = "（尚余 {left} 席）"
SEATS_FULL = "（已满，报名将进入候补）"
OPENS = "报名将于 {when} 开始。"
