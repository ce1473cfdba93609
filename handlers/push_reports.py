"""What WeChat reports after our sends: TEMPLATESENDJOBFINISH for each template message, and
MASSSENDJOBFINISH for each mass send (PROTOCOL.md section 4).

Both arrive at /wechat like any event, seconds after the call was answered, and find their
delivery row by the msgid that answer carried. A broadcast brings one report per recipient, so
each is one UPDATE on the indexed msgid and nothing else: no user is loaded or created (the
FromUserName of a mass report is WeChat's mass-send assistant, not a follower), nothing is
resent, and WeChat hears `success`.

A template report whose msgid no row recorded may be the one word we get on a call whose answer
was lost (a timeout, a crash): such a row may have arrived and, once its client_msg_id is too
old to resend, waits as `unknown` (scheduler.delivery). It is found by the recipient and the
time instead: the report's CreateTime within 10 minutes (and the report's delay) after the
row's first try with its key. When exactly one template row of that recipient, with no msgid,
still open or `unknown`, fits, the report settles it — `sent` or `failed`, its msgid recorded,
never resent; when none or several fit (another system's send, two sends in the same minutes),
nothing changes and staff see the row as 不确定是否送达.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, bindparam, or_, select, update

from handlers.context import NO_REPLY, Context, Message, Reply
from models.base import UtcDateTime
from models.push import CLIENT_MSG_ID_SECONDS, Channel, Delivery, DeliveryStatus
from models.wechat_user import WechatUser

TEMPLATE_CONFIRMED = "success"
# WeChat's failure statuses, compared without spaces: it writes "failed:user block" and
# "failed: system failed".
TEMPLATE_FAILURES = {"failed:userblock": "用户拒收", "failed:systemfailed": "微信系统失败"}
MASS_STATUSES = {"sendsuccess": "发送成功", "sendfail": "发送失败"}
# err(N) of a mass report: the reason WeChat's review stopped the send.
MASS_ERRORS = {
    10001: "涉嫌广告", 20001: "涉嫌政治", 20002: "涉嫌色情", 20004: "涉嫌社会",
    20006: "涉嫌违法犯罪", 20008: "涉嫌欺诈", 20013: "涉嫌版权", 21000: "涉嫌其他",
    22000: "涉嫌互推", 30001: "原创校验出现系统错误", 30002: "原创校验判定不能群发",
    30003: "原创校验判定为转载", 40001: "管理员拒绝", 40002: "管理员 30 分钟内未确认",
}
MASS_COUNTS = {"total": "TotalCount", "filter": "FilterCount", "sent": "SentCount",
               "error": "ErrorCount"}
REPORT_LENGTH = 32  # the delivery.report column
# How far a report's CreateTime may be from the send it reports: WeChat's clock against ours
# before it, the report's own delay after it.
CLOCK_SKEW = timedelta(seconds=10)
REPORT_DELAY = timedelta(seconds=60)

_DELIVERY = Delivery.__table__
_RECIPIENT = (select(WechatUser.id).where(WechatUser.openid == bindparam("b_openid"))
              .scalar_subquery())
S = DeliveryStatus
# Built once: every recipient of a broadcast runs one of these. Only a `sent` or `unknown` row
# changes, so a late or repeated report cannot undo what staff or a later answer decided.
_TEMPLATE_ROW = (_DELIVERY.c.msgid == bindparam("b_msgid"),
                 _DELIVERY.c.channel == Channel.TEMPLATE,
                 or_(_DELIVERY.c.status == S.SENT, _DELIVERY.c.status == S.UNKNOWN),
                 _DELIVERY.c.wechat_user_id == _RECIPIENT)
_REPORTED = {"report": bindparam("b_report", type_=String()),
             "reported_at": bindparam("b_at", type_=UtcDateTime())}
_CONFIRMED = {**_REPORTED, "status": S.SENT, "error": None}
_FAILED = {**_REPORTED, "status": S.FAILED, "error": bindparam("b_error", type_=String())}
_CONFIRM = update(_DELIVERY).where(*_TEMPLATE_ROW).values(_CONFIRMED)
_FAIL = update(_DELIVERY).where(*_TEMPLATE_ROW).values(_FAILED)
# A template row whose answer we never read: it may have arrived (still open, or `unknown`).
_UNANSWERED = (_DELIVERY.c.channel == Channel.TEMPLATE, _DELIVERY.c.msgid.is_(None),
               or_(*(_DELIVERY.c.status == state
                     for state in (S.PENDING, S.CLAIMED, S.SENDING, S.UNKNOWN))))
_UNANSWERED_AT = select(_DELIVERY.c.id).where(
    *_UNANSWERED, _DELIVERY.c.wechat_user_id == _RECIPIENT,
    _DELIVERY.c.first_sent_at >= bindparam("b_earliest", type_=UtcDateTime()),
    _DELIVERY.c.first_sent_at <= bindparam("b_latest", type_=UtcDateTime())).limit(2)
# Settled by the report: a worker still holding it (its claim is left as it was) finds it
# finished and drops its own answer, which could only say the same.
_SETTLED = {"msgid": bindparam("b_msgid"), "finished_at": bindparam("b_at", type_=UtcDateTime())}
_SETTLE_CONFIRMED = update(_DELIVERY).where(
    _DELIVERY.c.id == bindparam("b_row"), *_UNANSWERED).values({**_CONFIRMED, **_SETTLED})
_SETTLE_FAILED = update(_DELIVERY).where(
    _DELIVERY.c.id == bindparam("b_row"), *_UNANSWERED).values({**_FAILED, **_SETTLED})
_MASS = update(_DELIVERY).where(
    _DELIVERY.c.msgid == bindparam("b_msgid"), _DELIVERY.c.channel == Channel.MASS,
).values({**_REPORTED,
          "report_counts": bindparam("b_counts", type_=_DELIVERY.c.report_counts.type)})


def on_template_report(ctx: Context) -> Reply:
    """TEMPLATESENDJOBFINISH: the template message to FromUserName arrived, or why not."""
    message = ctx.message
    msgid, status = _field(message, "MsgID"), _field(message, "Status")
    if not msgid or not status:
        return NO_REPLY
    params = {"b_msgid": msgid, "b_openid": message.from_user, "b_report": status[:REPORT_LENGTH],
              "b_at": ctx.now}
    reason = template_failure(status)
    if reason is not None:
        params["b_error"] = f"微信回报{reason}（{status}）"[:200]
    if ctx.session.execute(_FAIL if reason else _CONFIRM, params).rowcount == 0:
        _settle_unanswered(ctx, params, failed=reason is not None)
    return NO_REPLY


def _settle_unanswered(ctx: Context, params: dict, *, failed: bool) -> None:
    """A report no row's msgid names: the one unanswered template row of that recipient whose
    first try fits its time, if exactly one does (this module's docstring)."""
    created = ctx.message.create_time
    if not created:
        return
    at = datetime.fromtimestamp(created, UTC)
    rows = ctx.session.scalars(_UNANSWERED_AT, {
        "b_openid": params["b_openid"], "b_latest": at + CLOCK_SKEW,
        "b_earliest": at - timedelta(seconds=CLIENT_MSG_ID_SECONDS) - REPORT_DELAY}).all()
    if len(rows) == 1:
        ctx.session.execute(_SETTLE_FAILED if failed else _SETTLE_CONFIRMED,
                            {**params, "b_row": rows[0]})


def on_mass_report(ctx: Context) -> Reply:
    """MASSSENDJOBFINISH: how a mass send went, in WeChat's counts."""
    message = ctx.message
    msgid, status = _field(message, "MsgID"), _field(message, "Status")
    if not msgid or not status:
        return NO_REPLY
    counts = {name: _count(message, element) for name, element in MASS_COUNTS.items()}
    ctx.session.execute(_MASS, {"b_msgid": msgid, "b_report": status[:REPORT_LENGTH],
                                "b_at": ctx.now, "b_counts": counts})
    return NO_REPLY


def template_failure(status: str) -> str | None:
    """The Chinese reason of a failure status ("failed:user block" → 用户拒收); None if not one."""
    compact = status.replace(" ", "").lower()
    if not compact.startswith("failed"):
        return None
    return TEMPLATE_FAILURES.get(compact, "发送失败")


def is_confirmed(report: str | None) -> bool:
    return report is not None and report.strip().lower() == TEMPLATE_CONFIRMED


def mass_status_text(status: str) -> str:
    """A mass report's Status in Chinese: 发送成功, 发送失败, 未发送（涉嫌广告，err(10001)）."""
    known = MASS_STATUSES.get(status.strip().lower())
    if known:
        return known
    code = re.fullmatch(r"err\((\d+)\)", status.strip())
    if code:
        reason = MASS_ERRORS.get(int(code[1]))
        return f"未发送（{reason}，{status}）" if reason else f"未发送（{status}）"
    return status


def _field(message: Message, name: str) -> str:
    value = message.raw.get(name)
    return value.strip() if isinstance(value, str) else ""


def _count(message: Message, name: str) -> int | None:
    value = _field(message, name)
    return int(value) if value.isdigit() else None
