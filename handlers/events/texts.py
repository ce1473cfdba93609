"""What the alumnus reads about browsing and signing up for events (活动, 报名, 取消报名, 确认,
我的活动), the refusals the API returns too, and the notices about one's own registration."""

from __future__ import annotations

import datetime as dt

WEEKDAYS = "一二三四五六日"


def when(moment: dt.datetime, zone) -> str:
    local = moment.astimezone(zone)
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


# --- 活动 -------------------------------------------------------------------------------------------
LIST_HEAD = "近期校友活动（按时间先后）："
LIST_ITEM = "【{number}】{title}\n{when} · {place}\n{seats}"
SEATS_LEFT = "余 {left}/{seats} 座"
SEATS_FULL = "已满，可报名候补（当前 {waiting} 人候补）"
WINDOW_NOT_YET = "，{opens} 开始报名"
WINDOW_CLOSED = "，报名已截止"
MINE_MARK = "，您已报名"
LIST_TAIL = "回复「报名 编号」报名，例如「报名 {example}」；「我的活动」查看已报名的活动。"
LIST_NONE = "近期暂无您可以报名的校友活动。新活动发布时会通过本公众号通知您（可发送「退订 活动」关闭）。"
LIST_NONE_UNBOUND = ("近期暂无向所有关注者开放的活动。多数校友活动只对已绑定的校友开放，"
                     "请先发送「绑定 姓名 学号」，例如「绑定 张伟 2012010101」。")
CARD_DESCRIPTION = "{when} · {place} · {seats}\n回复「报名 {number}」报名"

# --- 报名 -------------------------------------------------------------------------------------------
USAGE = "请在「报名」后写活动编号，例如「报名 3」。发送「活动」查看可报名的活动及编号。"
CANCEL_USAGE = "请在「取消报名」后写活动编号，例如「取消报名 3」。发送「我的活动」查看已报名的活动。"
CONFIRM_USAGE = "请在「确认」后写活动编号，例如「确认 3」。发送「我的活动」查看为您保留的名额。"
R_NOT_FOUND = "没有编号为 {number} 的活动。发送「活动」查看可报名的活动及编号。"
R_CANCELLED = "活动「{title}」已取消，不能报名。{reason}"
R_CLOSED = "活动「{title}」已停止报名。"
R_STARTED = "活动「{title}」已经开始，不能再报名。"
R_NOT_YET = "活动「{title}」将于 {opens} 开始报名，请届时再来。"
R_WINDOW_OVER = "活动「{title}」的报名已于 {closes} 截止。"
R_AUDIENCE = "活动「{title}」只面向{audience}，您不在报名范围内。"
R_AUDIENCE_UNBOUND = "活动「{title}」只面向{audience}。请先发送「绑定 姓名 学号」绑定校友身份后再报名。"
R_ALREADY = "您已报名活动「{title}」（{status}）。发送「我的活动」查看，「取消报名 {number}」取消。"
R_GUESTS = "同行人数请填 0 到 {max} 之间的整数。"
R_NO_GUESTS = "活动「{title}」不能携带同行人员。"
R_SHIRT = "请从 {sizes} 中选一个 T 恤尺码。"
R_ANSWER = "请回答活动的问题：{question}"
R_ANSWER_LONG = "回答最长 {max} 个字，请精简后再发。"
R_FULL_FOR_PARTY = "活动「{title}」只剩 {left} 个名额，不够您一行 {people} 人。"

SIGNED_UP = ("报名成功！活动「{title}」\n{when} · {place}\n{party}\n"
             "活动报名号：{registration}。发送「我的活动」查看，「取消报名 {number}」取消。")
PARTY_ALONE = "本人 1 人"
PARTY_GUESTS = "本人及同行 {guests} 人，共 {people} 人"
WAITLISTED = ("活动「{title}」名额已满，您已进入候补，排在第 {position} 位。\n"
              "有人取消时，名额会按候补顺序保留给您 {hours} 小时，届时会通知您发送「确认 {number}」。")

# --- the dialog -------------------------------------------------------------------------------------
ASK_GUESTS = "活动「{title}」可携带同行人员，最多 {max} 人。请回复同行人数（0 表示只有本人）。"
ASK_SHIRT = "请回复您的 T 恤尺码：{sizes}"
ASK_QUESTION = "请回答：{question}"
DIALOG_TAIL = "（发送「取消」放弃报名）"

# --- 取消报名 ----------------------------------------------------------------------------------------
R_NOT_REGISTERED = "您没有报名活动「{title}」。发送「我的活动」查看已报名的活动。"
R_ALREADY_CANCELLED = "您对活动「{title}」的报名已经取消。"
R_CANCEL_STARTED = "活动「{title}」已经开始，不能再取消报名。"
CANCELLED = "已取消活动「{title}」的报名。{freed}"
CANCELLED_FREED = "您的名额将按候补顺序让给其他校友。"
CANCELLED_WAITING = "您已退出候补。"

# --- 确认 ---------------------------------------------------------------------------------------------
R_NO_OFFER = "活动「{title}」目前没有为您保留的名额。{status}"
R_OFFER_LAPSED = "为您保留的活动「{title}」名额已于 {expires} 过期，已按顺序让给下一位候补校友。"
CONFIRMED = "确认成功！您已获得活动「{title}」的名额。\n{when} · {place}\n发送「我的活动」查看。"

# --- 我的活动 -----------------------------------------------------------------------------------------
MINE_NONE = "您还没有报名任何活动。发送「活动」查看近期可报名的活动。"
MINE_HEAD = "我的活动："
MINE_ITEM = "【{number}】{title}\n{when} · {place}\n{state}"
MINE_CONFIRMED = "已报名（{party}），活动报名号 {registration}"
MINE_CHECKED_IN = "已签到"
MINE_CODE = "到场签到：发送「活动签到码 {number}」出示签到码，或扫描现场的签到二维码"
MINE_WAITLISTED = "候补第 {position} 位"
MINE_OFFERED = "有名额为您保留，请在 {expires} 前发送「确认 {number}」"
MINE_TAIL = "「取消报名 编号」可取消报名或退出候补。"
STATUS_NAMES = {"confirmed": "已报名", "waitlisted": "候补中", "offered": "名额保留中", "cancelled": "已取消"}

# --- notices about one's own registration (category None) ----------------------------------------
OFFER_NOTICE = ("活动「{title}」有名额空出，已按候补顺序为您保留，请在 {expires} 前回复「确认 {number}」"
                "领取名额，逾期将让给下一位候补校友。{when} · {place}")
LAPSED_NOTICE = ("为您保留的活动「{title}」名额已过期（{expires}），已让给下一位候补校友。"
                 "如仍想参加，可再次发送「报名 {number}」重新候补。")

YES_WORDS = {"好", "是", "确认", "ok", "y", "yes"}
NONE_WORDS = {"无", "没有", "不", "0", "否", "no", "none", "n"}
SHIRT_SIZES = ("XS", "S", "M", "L", "XL", "XXL", "XXXL")
ANSWER_CHARS = 200
