"""The Chinese texts of a booking's lifecycle: what the class is told, and what staff are refused."""

from __future__ import annotations

import datetime as dt

from handlers.reunion.calendar import WEEKDAYS
from models.reunion import BookingStatus

STATUS_NAMES = {
    BookingStatus.PENDING: "待学院确认",
    BookingStatus.CONFIRMED: "学院已确认",
    BookingStatus.APPROVED: "已批准",
    BookingStatus.DECLINED: "未批准",
    BookingStatus.CANCELLED: "已取消",
    BookingStatus.VISITED: "已返校",
    BookingStatus.NO_SHOW: "未到",
}

# Refusals, shown to staff (the admin page's flash).
WRONG_STATE = "返校预约 {id} 当前状态为「{status}」，不能{action}。"
NOT_YOUR_COLLEGE = "只能确认本学院班级的返校安排。"
STAFF_ONLY = "只有学校工作人员可以{action}。"
PROGRAMME_EMPTY = "请填写学院安排的活动，例如：与在校生座谈、实验室参观、名师重上一堂课、集章路线。"
PROGRAMME_TOO_LONG = "学院安排不能超过 {limit} 个字。"
REASON_EMPTY = "请填写不批准的原因：它会告知班级联系人和已报名的同学。"
REASON_TOO_LONG = "原因不能超过 {limit} 个字。"
BEFORE_THE_DAY = "返校日是 {day}，当天或之后才能登记到校情况。"
PHOTO_NOT_VISITED = "班级返校后（状态为「已返校」）才能添加合影链接。"
PHOTO_BAD_URL = "合影链接须以 http:// 或 https:// 开头，且不超过 500 个字符。"

PASS_ALREADY_REVOKED = "{name}的返校码已于 {at} 停用。"
NO_SUCH_MEMBER = "返校预约 {id} 里没有这位同学。"

ACTIONS = {
    "revoke": "停用返校码",
    "confirm": "确认学院安排",
    "approve": "批准",
    "decline": "不批准",
    "visited": "登记为已返校",
    "no_show": "登记为未到",
    "photo": "添加合影链接",
}


def day_text(day: dt.date) -> str:
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def _head(booking_id: int, day: dt.date, year: int, college: str) -> str:
    who = f"{college}{year}届" if college else f"{year}届"
    return f"【秩年返校】{who}返校预约（编号 {booking_id}，{day_text(day)}）"


def programme_confirmed(booking_id, day, year, college, programme: str, amended: bool) -> str:
    verb = "更新了" if amended else "已确认"
    return (f"{_head(booking_id, day, year, college)}：学院{verb}返校当天的安排——{programme}。\n"
            f"接下来等待学校审批，批准后会再通知您。发送「我的预约」可查看详情。")


def approved(booking_id, day, year, college, slot: str, programme: str | None) -> str:
    plan = f"学院安排：{programme}。\n" if programme else ""
    return (f"{_head(booking_id, day, year, college)}已获学校批准。\n入校时段：{slot}。\n{plan}"
            f"返校前会再发提醒；当天请凭「我的返校码」入校、就餐。还没报名的同学可发送「加入返校 {booking_id}」。")


def declined(booking_id, day, year, college, reason: str) -> str:
    return (f"{_head(booking_id, day, year, college)}未获批准，原因：{reason}。\n"
            f"预约已撤销、名额已释放，班级可以另选日期重新预约：发送「返校」查看可预约的日期。")


def visited(booking_id, day, year, college) -> str:
    return (f"{_head(booking_id, day, year, college)}：欢迎回家！学校已登记本次返校。"
            f"稍后会请您为这次返校打分，班级合影上传后也会发给您。")


def no_show(booking_id, day, year, college) -> str:
    return (f"{_head(booking_id, day, year, college)}：学校登记本次返校为「未到」。"
            f"如有误，请联系校友会；如想改期，发送「返校」查看可预约的日期。")


def photo(booking_id, day, year, college, url: str) -> str:
    return f"{_head(booking_id, day, year, college)}：班级合影已上传，点此查看并保存：{url}"


def pass_revoked(booking_id, day, year, college) -> str:
    return (f"{_head(booking_id, day, year, college)}：学校已停用您的返校码，入校和就餐时将不能使用。"
            "如有疑问，请联系班级联系人或校友会工作人员。")
