"""The Chinese texts of the reunion's scheduled notices (reminders, thanks) and of 返校评价."""

from __future__ import annotations

import datetime as dt

WEEKDAYS = "一二三四五六日"


def day_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def class_label(graduation_year: int, college: str) -> str:
    return f"{graduation_year} 届{college}" if college else f"{graduation_year} 届"


# --- 7 days before -----------------------------------------------------------------------------

REMIND_7D_HEAD = "【返校提醒】{who}校友，您好！距离本班 {anniversary} 周年返校还有一周，{school}期待您回家。"
REMIND_7D_LINES = (
    "编号：{booking_id}",
    "日期：{day}",
    "入校时段：{slot}",
    "人数：{people} 人（已加入 {members} 位校友）",
    "住宿：{lodging}",
    "聚会场地：{venue}",
    "校园参观：{tour}",
    "用餐：{meals}",
)
PROGRAMME_LINE = "学院安排：{programme}"
PROGRAMME_PENDING = "学院安排：学院正在准备，确定后另行通知"
REMIND_7D_TAIL = (
    "返校当天凭个人返校码入校：届时发送「我的返校码」即可出示。\n"
    "如需取消：联系人发送「取消预约 {booking_id}」（返校日前一天 24:00 前）。"
)
READING = "出发前，看看母校的近况：接下来的图文消息是最新的{categories}。"

NONE = "无"
TOUR_YES = "已安排讲解员带队参观"
LUNCH = "午餐"
DINNER = "晚餐"
MEALS_FREE = "（食堂，凭返校码免费）"
LODGING = "{count} {unit}"

# A news card that goes as a template message instead (the recipient is outside the
# customer-service window): the text carries the title, the tap opens the article.
CARD_TEXT = "【{category}】{title}"


# --- 1 day before ------------------------------------------------------------------------------

REMIND_1D = (
    "【明日返校】{who}校友，明天 {day} {slot} 入校，请从{gate}进入，"
    "出示个人返校码（发送「我的返校码」获取）。编号 {booking_id}，期待与您相见！"
)


# --- after the visit -------------------------------------------------------------------------

THANKS = (
    "【感谢返校】{who}校友，感谢您 {day} 回到母校！欢迎为这次返校打分："
    "发送「返校评价 {booking_id} 5 一句话感受」（1-5 分，5 分最满意），或只发「返校评价」按提示作答。"
)
THANKS_PHOTO = "班级合影：{photo_url}"


# --- 返校评价 -----------------------------------------------------------------------------------

FEEDBACK_USAGE = "请发送「返校评价 编号 分数 一句话」，例如：返校评价 12 5 感谢母校的安排。分数为 1-5 分，5 分最满意。"
FEEDBACK_ASK = ("请为您 {day} 的返校（编号 {booking_id}）打分：回复 1-5 的数字，"
                "可在分数后加一句话，例如：5 感谢母校的安排。发送「取消」退出。")
FEEDBACK_BAD_SCORE = "分数须为 1 到 5 的整数（5 分最满意），例如：5 感谢母校的安排。"
FEEDBACK_TOO_LONG = "一句话请控制在 {limit} 字以内。"
FEEDBACK_NOTHING = "您还没有已完成的返校可以评价。返校结束后，学校会邀请您打分。"
FEEDBACK_NO_BOOKING = "没有编号为 {booking_id} 的返校预约。"
FEEDBACK_NOT_MEMBER = "您不在编号 {booking_id} 的返校名单中，无法评价。"
FEEDBACK_NOT_VISITED = "编号 {booking_id} 的返校尚未完成，返校结束后才能评价。"
FEEDBACK_SAVED = "谢谢您的评价（{score} 分）！您的意见会帮助我们把下一次返校办得更好。"
FEEDBACK_UPDATED = "已更新您的评价（{score} 分），谢谢！每位校友每次返校只保留最新的一条评价。"
FEEDBACK_NOT_BOUND = "请先发送「绑定 姓名 学号」认证校友身份，再评价返校。"


# --- 秩年邀请 (the admin page's one-step invitation) ----------------------------------------------

INVITE = (
    "【秩年返校邀请】{who}校友，您好！{when}是您毕业 {anniversary} 周年，{school}诚邀您与同窗重回母校看看。"
    "发送「返校」查看可预约的返校日期，或点击菜单「返校活动 → 秩年返校」。"
)
THIS_YEAR = "今年"
NEXT_YEAR = "明年（{year} 年）"
