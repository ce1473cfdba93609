"""The Chinese texts of the events admin side: what staff are refused, what registrants are told
when staff change an event under them (cancelled, promoted from the waitlist)."""

from __future__ import annotations

import datetime as dt

from models.event import EventStatus, RegistrationStatus

STATUS_NAMES = {
    EventStatus.DRAFT: "草稿",
    EventStatus.OPEN: "报名中",
    EventStatus.CLOSED: "已截止报名",
    EventStatus.CANCELLED: "已取消",
}

REGISTRATION_NAMES = {
    RegistrationStatus.CONFIRMED: "已确认",
    RegistrationStatus.WAITLISTED: "候补中",
    RegistrationStatus.OFFERED: "待确认空位",
    RegistrationStatus.CANCELLED: "已取消",
}

AUDIENCE_KINDS = {
    "all": "所有关注者",
    "bound": "已绑定的校友",
    "chapter": "某个分会的成员",
    "year": "某些届别",
    "college": "某个学院",
}

WEEKDAYS = "一二三四五六日"

# Refusals (the admin page's flash or the form's errors).
WRONG_STATE = "活动 {id} 当前状态为「{status}」，不能{action}。"
ACTIONS = {"open": "开放报名", "close": "截止报名", "cancel": "取消", "promote": "转为正式报名",
           "reorder": "调整候补顺序", "edit": "修改"}
REASON_EMPTY = "请填写取消的原因：它会告知每一位报名和候补的校友。"
REASON_TOO_LONG = "原因不能超过 {limit} 个字。"
NOTE_EMPTY = "请填写原因：它会记入审计日志。"
NOT_WAITING = "这位校友不在候补名单中（当前状态：{status}），不能{action}。"
NO_SEATS = "活动 {id} 名额已满（{taken}/{seats}）：请先增加名额，或等有人取消。"
PLACE_BAD = "请填写 1 到 {count} 之间的位置。"
OPEN_PAST = "活动已经开始或结束，不能再开放报名。"

SEATS_BELOW_TAKEN = "已有 {taken} 个名额被占用（含家属和待确认的空位），名额不能少于 {taken}。"
ENDS_BEFORE_START = "结束时间必须晚于开始时间。"
SIGNUP_CLOSES_BEFORE_OPENS = "报名截止时间必须晚于报名开始时间。"
SIGNUP_CLOSES_AFTER_START = "报名截止时间不能晚于活动开始时间。"
COORDINATES_PAIR = "经纬度要么都填，要么都不填。"
LATITUDE_RANGE = "纬度须在 -90 到 90 之间，例如 31.2304。"
LONGITUDE_RANGE = "经度须在 -180 到 180 之间，例如 121.4737。"
PICTURE_URL = "图片链接须以 https:// 或 http:// 开头，且不含空格。"
CHAPTER_NEEDED = "请选择分会。"
CHAPTER_UNKNOWN = "没有这个分会。"
YEARS_NEEDED = "请填写届别，例如 2010 或 2010-2015。"
YEARS_BAD = "届别的格式是 2010 或 2010-2015（前小后大）。"
COLLEGE_NEEDED = "请填写学院全称，例如 计算机学院。"
KIND_NEEDED = "请选择活动类型；选「其他」时填写类型名称。"
QUESTIONS_TOO_MANY = "附加问题最多 {limit} 个，每行一个。"
QUESTION_TOO_LONG = "每个附加问题不超过 {limit} 个字。"


def when(at: dt.datetime, zone) -> str:
    local = at.astimezone(zone)
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def cancelled(event_id: int, title: str, starts: str, reason: str) -> str:
    return (f"【校友活动】很抱歉，「{title}」（编号 {event_id}，{starts}）已取消，原因：{reason}。\n"
            f"您的报名或候补已随之取消，无需任何操作。发送「活动」查看其他活动。")


def promoted(event_id: int, title: str, starts: str, place: str) -> str:
    return (f"【校友活动】好消息：工作人员已为您在「{title}」（编号 {event_id}，{starts}，{place}）"
            f"保留了名额，您的报名已确认。\n如不能参加，请发送「取消报名 {event_id}」把名额让给其他校友。")
