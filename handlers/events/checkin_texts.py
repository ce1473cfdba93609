"""What check-in says: to the alumnus in the chat and to staff on the scanner and QR pages."""

from __future__ import annotations

import datetime as dt

WALK_IN_WORD = "现场报名"
MY_CODE_WORD = "活动签到码"

UNKNOWN_EVENT = "没有找到这个活动，二维码可能已失效。发送「活动」查看可以报名的活动。"
ASK_NUMBER = "请在指令后加上活动编号，例如「{word} 12」。编号印在签到二维码旁，也可发送「我的活动」查看。"
NOT_BOUND = "您还没有绑定校友身份，这场活动只对已绑定的校友开放。发送「绑定 姓名 学号」即可绑定。"
CODE_AS_TEXT = "签到码图片暂时无法发送。请向工作人员出示以下签到码，由工作人员手动输入：\n{code}"


def when(event, zone: dt.tzinfo) -> str:
    starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    end = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%Y-%m-%d %H:%M}"
    return f"{starts:%Y-%m-%d %H:%M}–{end}"


def details(event, zone: dt.tzinfo) -> str:
    lines = [f"时间：{when(event, zone)}", f"地点：{event.place}"]
    if event.description:
        lines.append(event.description.strip().splitlines()[0][:80])
    return "\n".join(lines)


def welcome(event, registration, zone: dt.tzinfo) -> str:
    party = f"（含同行 {registration.guests} 人）" if registration.guests else ""
    return (f"签到成功{party}！欢迎参加「{event.title}」（编号 {event.id}）。\n"
            f"{details(event, zone)}\n祝您活动愉快！")


def already(event, at: dt.datetime, zone: dt.tzinfo) -> str:
    return (f"您已于 {at.astimezone(zone):%H:%M} 签到过「{event.title}」（编号 {event.id}），无需重复签到。\n"
            f"{details(event, zone)}")


def waitlisted(event, position: int | None) -> str:
    where = f"第 {position} 位" if position else "候补名单中"
    return (f"您在「{event.title}」（编号 {event.id}）的候补名单上（{where}），还没有座位，暂不能签到。"
            "如有疑问请联系现场工作人员。发送「我的活动」查看报名情况。")


def offered(event, expires: dt.datetime | None, zone: dt.tzinfo) -> str:
    until = f"，请在 {expires.astimezone(zone):%m-%d %H:%M} 前" if expires else "，请"
    return (f"「{event.title}」（编号 {event.id}）为您保留了一个座位，但您还没有确认{until}"
            f"回复「确认 {event.id}」，确认后再扫码签到。")


def cancelled_registration(event, seats_left: int, walk_in: bool) -> str:
    text = f"您在「{event.title}」（编号 {event.id}）的报名已取消，暂不能签到。"
    if walk_in:
        text += f"\n现场还有 {seats_left} 个座位，回复「{WALK_IN_WORD} {event.id}」即可现场报名并签到。"
    return text


def not_registered(event, seats_left: int) -> str:
    return (f"您没有报名「{event.title}」（编号 {event.id}）。\n"
            f"现场还有 {seats_left} 个座位，回复「{WALK_IN_WORD} {event.id}」即可现场报名并签到。")


def not_registered_full(event) -> str:
    return (f"您没有报名「{event.title}」（编号 {event.id}），现场座位已满，无法现场报名。"
            "如有疑问请联系现场工作人员。")


def not_registered_closed(event) -> str:
    return (f"您没有报名「{event.title}」（编号 {event.id}），本活动已截止报名，不接受现场报名。"
            "如有疑问请联系现场工作人员。")


def not_in_audience(event) -> str:
    return (f"您没有报名「{event.title}」（编号 {event.id}）。这场活动仅面向特定校友，您不在范围内，"
            "无法现场报名。如有疑问请联系现场工作人员。")


def walk_in_done(event, zone: dt.tzinfo) -> str:
    return (f"现场报名成功，已为您签到！欢迎参加「{event.title}」（编号 {event.id}）。\n"
            f"{details(event, zone)}\n祝您活动愉快！")


def event_cancelled(event) -> str:
    reason = f"原因：{event.cancel_reason}" if event.cancel_reason else ""
    return f"「{event.title}」（编号 {event.id}）已取消，不能签到。{reason}".rstrip()


def not_today(event, zone: dt.tzinfo, today: dt.date) -> str:
    day = event.starts_at.astimezone(zone).date()
    if day > today:
        return (f"「{event.title}」（编号 {event.id}）在 {day:%Y-%m-%d} 举行，今天不能签到，请在活动当天扫码。\n"
                f"{details(event, zone)}")
    return f"「{event.title}」（编号 {event.id}）已于 {day:%Y-%m-%d} 结束，不能再签到。"


def code_not_confirmed(event) -> str:
    return (f"您在「{event.title}」（编号 {event.id}）还没有确认的座位，没有签到码。"
            "发送「我的活动」查看报名情况。")


def code_no_registration(event_id: int) -> str:
    return f"您没有报名编号 {event_id} 的活动，没有签到码。发送「活动」查看可以报名的活动。"


# The staff scanner page (admin).
CHECKED_IN = "签到成功"
ALREADY = "已签到"
REFUSED = "不能签到"
FORGED = "签到码无效（不是本系统签发的，或输入有误）。"
NO_EVENT = "请先选择活动。"
EVENT_GONE = "所选活动不存在。"


def other_event(event_id: int) -> str:
    return f"这是另一场活动（编号 {event_id}）的签到码，请确认所选活动。"


def staff_already(at: dt.datetime, zone: dt.tzinfo, by: str | None) -> str:
    who = f"（{by}）" if by else ""
    return f"已于 {at.astimezone(zone):%H:%M} 签到{who}，无需重复签到。"


STAFF_STATE = {
    "waitlisted": "此人在候补名单上，没有座位。",
    "offered": "此人有保留座位但尚未确认（回复「确认 编号」）。",
    "cancelled": "此人的报名已取消。",
}
STAFF_NOT_TODAY = "所选活动不在今天举行。"
STAFF_CANCELLED = "所选活动已取消。"

# The QR page (admin).
QR_MADE = "已生成活动「{title}」的签到二维码。"
QR_FAILED = "生成签到二维码失败：{reason}"
QR_IMAGE_FAILED = "暂时无法取得二维码图片（{reason}），请稍后刷新。"
