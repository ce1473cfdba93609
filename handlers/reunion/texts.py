"""Every Chinese sentence of booking a reunion visit: eligibility, the dialog, refusals, notices.

Dates are written the way alumni read them on a phone (4月11日 周六); a full date (2026-04-11) is
given where the alumnus must type it back.
"""

from __future__ import annotations

import datetime as dt

from handlers.reunion.calendar import WEEKDAYS
from handlers.reunion.lifecycle_texts import STATUS_NAMES as LIFECYCLE_STATUS_NAMES

NOT_BOUND = ("秩年返校按班级预约，请先认证校友身份：发送「绑定 姓名 学号」，例如「绑定 张伟 2012010101」，"
             "或只发「绑定」按提示填写。")
BOOK_HOW = ("预约方法：回复上面的日期序号，按提示选择时段、人数和需要；"
            "或直接发送「预约返校 YYYY-MM-DD 人数」，例如「预约返校 {example} 20」。")
BOOK_HOW_LATER = "届时发送「返校」即可查看开放日期并预约。"
JOIN_HOW = "本班同学已预约返校（编号 {number}，{date} {slot}）：发送「加入返校 {number}」加入，可带家属。"
MINE_HOW = "本班已预约：编号 {number}，{date} {slot}。发送「我的预约」查看详情。"


def day_label(day: dt.date) -> str:
    return f"{day.month}月{day.day}日 周{WEEKDAYS[day.weekday()]}"


def full_date(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}（{day_label(day)}）"


# --- the class and its anniversary -----------------------------------------------------------------

def class_label(graduation_year: int, college: str) -> str:
    return f"{graduation_year} 届{college}" if college else f"{graduation_year} 届"


def anniversary_line(label: str, year: int, anniversary: int, this_year: bool) -> str:
    when = "今年" if this_year else f"{year} 年"
    return f"{label}校友：{when}是您毕业 {anniversary} 周年，欢迎与同窗重回母校（秩年返校）。"


def not_reunion_year(label: str, today_year: int, next_: tuple[int, int] | None) -> str:
    if next_ is None:
        return f"{label}校友：{today_year} 年不是您的秩年返校年份。欢迎随时关注母校动态。"
    year, n = next_
    return (f"{label}校友：{today_year} 年不是您的秩年返校年份。"
            f"您的下一个秩年是 {year} 年（毕业 {n} 周年）。")


NO_OPEN_DAYS = "{start} 起的三个月内暂无开放预约的日期，请稍后再来查看。"
OPEN_DAYS_HEAD = "可预约的日期（最早 {first}，余量为还可接待的人数）："
OPEN_DAY_LINE = "{n}. {day}  余 {left} 人{note}"
OPEN_DAY_FULL = "{n}. {day}  已约满{note}"
MORE_DAYS = "……另有 {count} 天，可发送「预约返校 YYYY-MM-DD 人数」预约其中一天。"

# --- the booking dialog ----------------------------------------------------------------------------
ASK_DATE_AGAIN = "请回复上面列出的日期序号，或直接写日期（如 {example}）；发送「取消」退出。"
DATE_NOT_LISTED = "{day} 不在可预约的日期中。请回复列出的序号；发送「取消」退出。"
ASK_SLOT_HEAD = "{day}，请选择入校时段（回复序号）："
SLOT_LINE = "{n}. {label}  余 {left} 人"
SLOT_FULL_LINE = "{n}. {label}  已满"
ASK_SLOT_AGAIN = "请回复时段序号（1-{count}）；发送「取消」退出。"
ASK_PEOPLE = "这一时段还可接待 {left} 人。请问一共来多少人（含家属）？回复数字，如 20。"
ASK_PEOPLE_AGAIN = "请回复人数（1-{left} 之间的数字）；发送「取消」退出。"
ASK_NEEDS = (
    "需要学校安排哪些？回复字母即可，可多选，如「ABC」；都不需要回复「无」。\n"
    "A. 校园导览（当天还余 {tour} 组）\n"
    "B. 食堂午餐（{people} 份，余 {lunch} 份）\n"
    "C. 食堂晚餐（{people} 份，余 {dinner} 份）\n"
    "D. 班级座谈场地（余 {venues} 间{biggest}）\n"
    "E. 住宿（余 {lodging} {unit}）\n"
    "直接回复「好」按默认：导览 + 午餐。")
ASK_NEEDS_AGAIN = "没看懂，请回复 A-E 中的字母（如「AB」），「好」按默认（导览 + 午餐），「无」都不需要。"
ASK_LODGING = "需要几{unit}住宿？回复数字（余 {left} {unit}）。"
ASK_LODGING_AGAIN = "请回复 1-{left} 之间的数字；发送「取消」退出。"
ASK_NOTE = "还有什么要告诉学校的吗（如 想见某位老师、有行动不便的同学）？直接回复，没有请回复「无」。"
CONFIRM_HEAD = "请核对返校预约："
CONFIRM_TAIL = "回复「确认」提交预约，回复「取消」放弃。"
CONFIRM_AGAIN = "请回复「确认」提交预约，或「取消」放弃。"
NONE_WORDS = frozenset({"无", "没有", "不需要", "都不需要", "不用", "否", "none", "no", "0"})
DEFAULT_WORDS = frozenset({"好", "好的", "默认", "ok", "是", "可以", "行"})
YES_WORDS = frozenset({"确认", "确定", "是", "好", "好的", "ok", "yes", "y"})


def needs_summary(*, people: int, lodging: int, venue: bool, tour: bool, lunch: bool, dinner: bool,
                  note: str | None, unit: str) -> str:
    parts = []
    if tour:
        parts.append("校园导览")
    if lunch:
        parts.append(f"午餐 {people} 份")
    if dinner:
        parts.append(f"晚餐 {people} 份")
    if venue:
        parts.append(f"座谈场地（{people} 座以上）")
    if lodging:
        parts.append(f"住宿 {lodging} {unit}")
    lines = ["需要：" + ("、".join(parts) if parts else "无")]
    if note:
        lines.append(f"留言：{note}")
    return "\n".join(lines)


# --- booked ---------------------------------------------------------------------------------------
BOOKED = ("预约已提交，编号 {number}。\n{label}，{day} {slot}，{people} 人。\n{needs}{venue}\n"
          "学院确认活动安排、学校审核后会通知您。\n"
          "请把「加入返校 {number}」转告同学，加入后每人都有返校码。发送「我的预约」查看，"
          "「取消预约 {number}」可在返校日零点前取消。")
BOOKED_VENUE = "\n座谈场地：{name}（{seats} 座）"
DROPPED = "\n注意：{what}已没有余量，这次预约未包含。"
DROPPED_NAMES = {"tour": "校园导览", "lunch": "午餐", "dinner": "晚餐", "venue": "座谈场地",
                 "lodging": "住宿"}
USAGE = "请发送「预约返校 YYYY-MM-DD 人数」，例如「预约返校 {example} 20」；或发送「返校」查看开放日期。"
BAD_DATE = "「{text}」不是有效的日期，请写成 YYYY-MM-DD，例如 {example}。"

# --- refusals (BookingRefused.reason) ------------------------------------------------------------
R_NOT_BOUND = NOT_BOUND
R_PAST = "{day} 已经过去了，请选择以后的日期。发送「返校」查看开放日期。"
R_TOO_LATE = "返校需至少提前 {lead} 天预约，最早可预约 {first}。发送「返校」查看开放日期。"
R_CLOSED = "{day} 不接待返校{note}。发送「返校」查看开放日期。"
R_FULL_DAY = "{day} 已约满，请换一天。发送「返校」查看其他日期。"
R_TOO_MANY_DAY = "{day} 还可接待 {left} 人，您预约了 {people} 人。请减少人数或换一天。"
R_FULL_SLOT = "{day} {slot} 时段已满，请换一个时段或日期。"
R_TOO_MANY_SLOT = "{day} {slot} 时段还可接待 {left} 人，您预约了 {people} 人。请换一个时段或减少人数。"
R_NO_SUCH_SLOT = "{day} 没有 {slot} 这个时段。可选：{slots}。"
R_NOT_ELIGIBLE = "{label}在 {year} 年不是秩年（毕业 {elapsed} 年）。{next}"
R_NOT_ELIGIBLE_NEXT = "您的下一个秩年返校是 {year} 年（毕业 {n} 周年）。"
R_NOT_ELIGIBLE_NONE = "秩年返校只接待毕业 {years} 周年的班级。"
R_HEADCOUNT = "人数至少为 1 人。"
R_HEADCOUNT_MAX = "一次最多预约 {max} 人。"
R_DUPLICATE = "{label}在 {year} 年已有返校预约（编号 {number}，{day}），每个班级只能预约一次。发送「加入返校 {number}」加入。"
R_DUPLICATE_MINE = "您已在本班的返校预约中（编号 {number}，{day}），每个班级只能预约一次。发送「我的预约」查看。"
R_LODGING = "{day} 住宿还余 {left} {unit}，您需要 {wanted} {unit}。请减少或不订住宿。"
R_TOUR = "{day} 的校园导览已约满，可不选导览或换一天。"
R_LUNCH = "{day} 食堂午餐还余 {left} 份，您需要 {wanted} 份。可不订午餐或换一天。"
R_DINNER = "{day} 食堂晚餐还余 {left} 份，您需要 {wanted} 份。可不订晚餐或换一天。"
R_VENUE = "{day} 没有 {seats} 座以上的空闲场地了，可不订场地或换一天。"
R_NO_BOOKING = "没有编号为 {number} 的返校预约。发送「我的预约」查看您的预约。"
R_OTHER_CLASS = "编号 {number} 是{label}的返校预约，只有该班的校友可以加入。"
R_NOT_HOLDING = "编号 {number} 的返校预约当前为「{status}」，不能再加入。"
R_ALREADY_MEMBER = "您已在编号 {number} 的返校预约中（{day}）。发送「我的预约」查看。"
R_JOIN_FULL = "{day} 还可接待 {left} 人，加入需要增加 {more} 人，名额不够了。可少带几位家属再试。"
R_NOT_CONTACT = "只有预约人（{name}）可以取消编号 {number} 的预约。"
R_NOT_YOURS = "编号 {number} 不是您班级的返校预约，不能取消。"
R_CANCEL_TOO_LATE = "返校日零点起不能再取消（编号 {number}，{day}）。如有变化请联系学院。"
R_ALREADY_CANCELLED = "编号 {number} 的返校预约当前为「{status}」，不能取消。"
# The statuses as the admin pages and the lifecycle notices name them.
STATUS_NAMES = LIFECYCLE_STATUS_NAMES

# --- join ------------------------------------------------------------------------------------------
JOIN_USAGE = "请发送「加入返校 编号」，编号由本班预约人告诉您，也可发送「返校」查看本班是否已预约。"
ASK_COMPANIONS = ("加入编号 {number}（{label}，{day} {slot}）。\n"
                  "有家属同行吗？请回复家属姓名，多位用空格或顿号分开（如「李娜 张小明」）；没有请回复「无」。")
COMPANIONS_TOO_MANY = "家属最多 {max} 位，请重新回复姓名；没有请回复「无」。"
COMPANION_BAD = "「{name}」不像姓名，请重新回复家属姓名（最多 20 个字），没有请回复「无」。"
JOINED = "已加入编号 {number} 的返校预约：{day} {slot}。{companions}\n返校当天发送「我的返校码」出示入校码。"
JOINED_COMPANIONS = "同行家属：{names}。"
JOINED_GREW = "（预约人数随之增加到 {people} 人。）"
JOIN_NOTICE = "【返校预约】{name}加入了编号 {number} 的返校预约（{day}）{companions}，现共 {headcount} 人。"
JOIN_NOTICE_COMPANIONS = "，带家属 {count} 位"

# --- cancel ----------------------------------------------------------------------------------------
CANCEL_USAGE = "请发送「取消预约 编号」，编号可发送「我的预约」查看。"
CANCELLED = "已取消编号 {number} 的返校预约（{day}），名额已释放。本班如需返校可重新预约。"
CANCEL_NOTICE = "【返校预约】预约人{name}取消了编号 {number} 的返校预约（{day}）。如仍想返校，可由本班同学重新预约。"

# --- 我的预约 ---------------------------------------------------------------------------------------
MINE_NONE = "您还没有返校预约。发送「返校」查看本班秩年返校资格与开放日期。"
MINE_HEAD = "我的返校预约："
MINE_ITEM = ("编号 {number}｜{day} {slot}｜{status}\n"
             "{label}，预约 {people} 人，已加入 {members} 位同学（共 {headcount} 人）{role}")
MINE_ROLE_CONTACT = "，您是预约人"
MINE_REASON = "\n原因：{reason}"
MINE_NEXT_CONTACT = "可以：「取消预约 {number}」（返校日零点前）· 返校当天「我的返校码」"
MINE_NEXT_MEMBER = "返校当天发送「我的返校码」出示入校码。"
