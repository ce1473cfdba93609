"""The Chinese texts of passes (返校码) and the scanners: what alumni read in the bot and staff
read on the scanner page."""

from __future__ import annotations

import datetime as dt

from models.reunion import BookingStatus

# --- refusals of the code itself (handlers.reunion.passes) ---
FORGED = "无法识别的返校码：不是本校签发的，或内容不完整。请校友重新出示，或手动输入完整的返校码。"
EXPIRED = "返校码已过期（小程序中的返校码每分钟更新），可能是截图或旧码。请校友刷新后重新出示。"
FUTURE = "返校码的时间晚于服务器时间，无法验证。请校友检查手机时间后刷新重新出示。"


def other_day(day: dt.date, today: dt.date) -> str:
    return f"这是 {day:%Y-%m-%d} 的返校码，今天是 {today:%Y-%m-%d}，不能使用。"


# --- refusals from the database (handlers.reunion.scanning) ---
NO_MEMBER = "这张返校码对应的报名已不存在（可能已退出本次返校）。"
WRONG_DAY_BOOKING = "这张返校码与该班的返校日期不符（预约可能已改期），请校友重新获取返校码。"


def revoked(at: dt.datetime) -> str:
    return f"这张返校码已于 {at:%Y-%m-%d %H:%M} 作废，不能使用。"


def booking_refused(status: BookingStatus, reason: str | None) -> str:
    """Why a booking's passes do not admit anyone (statuses outside ADMITTING)."""
    if status == BookingStatus.PENDING:
        return "该班的返校预约尚未获批（等待学院确认），暂不能凭码入校或用餐。"
    if status == BookingStatus.CONFIRMED:
        return "该班的返校预约尚未获批（等待学校审批），暂不能凭码入校或用餐。"
    if status == BookingStatus.DECLINED:
        return "该班的返校预约未获批准" + (f"：{reason}" if reason else "。")
    if status == BookingStatus.CANCELLED:
        return "该班的返校预约已取消，返校码不再有效。"
    if status == BookingStatus.NO_SHOW:
        return "该班的返校预约已记为未到，返校码不再有效。"
    return "该班的返校预约当前不能凭码入校。"


STATIONS = {"gate": "校门", "lunch": "午餐", "dinner": "晚餐"}
UNKNOWN_STATION = "请选择扫码地点：校门、午餐或晚餐。"


def meal_not_booked(meal: str) -> str:
    return f"该班预约时未申请{STATIONS[meal]}，不能凭码免费用{STATIONS[meal][-1]}。"


def arrived(party: int) -> str:
    return f"入校登记成功（共 {party} 人）"


def arrived_before(at: str) -> str:
    return f"已于 {at} 入校"


def meal_served(meal: str, party: int) -> str:
    return f"{STATIONS[meal]}已登记：{party} 份"


def meal_before(meal: str, at: str) -> str:
    return f"已于 {at} 用过{STATIONS[meal]}"


REFUSED = "不能通过"

# --- the bot's 我的返校码 ---
NOT_BOUND = "请先发送「绑定 姓名 学号」绑定校友身份，加入班级返校预约后即可领取返校码。"
NO_BOOKING = ("您还没有加入返校预约。班级联系人发送「返校」查看可预约的日期并预约；同学发送「加入返校 编号」"
              "加入本班预约。返校当天发送「我的返校码」即可领取入校二维码。")


def before_day(day: dt.date, booking_id: int) -> str:
    return (f"您已加入返校预约（编号 {booking_id}），返校日为 {day:%Y-%m-%d}。返校码在当天 0 点起可用："
            f"当天发送「我的返校码」即可收到入校二维码。发送「我的预约」可查看预约详情。")


def not_admitted(day: dt.date, booking_id: int, status: BookingStatus, reason: str | None) -> str:
    return (booking_refused(status, reason) + f"（预约编号 {booking_id}，返校日 {day:%Y-%m-%d}）"
            "获批后发送「我的返校码」即可领取。发送「我的预约」可查看进度。")


def day_over(day: dt.date) -> str:
    return f"您的返校日（{day:%Y-%m-%d}）已过，返校码已失效。欢迎再次返校！"


REVOKED_BOT = "您的返校码已作废。如有疑问请联系班级联系人或校友会工作人员。"


def as_text(code: str, day: dt.date) -> str:
    """When the QR image cannot be sent: the code itself, which staff can type at the scanner."""
    return (f"返校码图片暂时无法发送。请在 {day:%Y-%m-%d} 入校时向工作人员出示以下返校码"
            f"（可手动输入）：\n{code}")


# --- the API ---
API_NOT_TODAY = "返校码在返校当天可用。"
API_NOT_MEMBER = "没有找到您加入的这个返校预约。"
