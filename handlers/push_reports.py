"""What WeChat reports after our sends: TEMPLATESENDJOBFINISH for each template message, and
MASSSENDJOBFINISH for each mass send (PROTOCOL.md section 4).

Both arrive at /wechat like any event, seconds after the call was answered, and find their
delivery row by the msgid that answer carried. A broadcast brings one report per recipient, so
each is one UPDATE on the indexed msgid and nothing else: no user is loaded or created (the
FromUserName of a mass report is WeChat's mass-send assistant, not a follower), nothing is
resent (a template row's client_msg_id would be deduped anyway), and WeChat hears `success`.
A report for a msgid we do not know (another system's send, a database reset since) changes
nothing.
"""

from __future__ import annotations

import re

from sqlalchemy import String, bindparam, select, update

from handlers.context import NO_REPLY, Context, Message, Reply
from models.base import UtcDateTime
from models.push import Channel, Delivery, DeliveryStatus
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

_DELIVERY = Delivery.__table__
_RECIPIENT = (select(WechatUser.id).where(WechatUser.openid == bindparam("b_openid"))
              .scalar_subquery())
# Built once: every recipient of a broadcast runs one of these. Only a `sent` row changes, so a
# late or repeated report cannot undo what staff or a later answer decided.
_TEMPLATE_ROW = (_DELIVERY.c.msgid == bindparam("b_msgid"),
                 _DELIVERY.c.channel == Channel.TEMPLATE.value,
                 _DELIVERY.c.status == DeliveryStatus.SENT.value,
                 _DELIVERY.c.wechat_user_id == _RECIPIENT)
_REPORTED = {"report": bindparam("b_report", type_=String()),
             "reported_at": bindparam("b_at", type_=UtcDateTime())}
_CONFIRM = update(_DELIVERY).where(*_TEMPLATE_ROW).values(_REPORTED)
_FAIL = update(_DELIVERY).where(*_TEMPLATE_ROW).values(
    {**_REPORTED, "status": DeliveryStatus.FAILED.value,
     "error": bindparam("b_error", type_=String())})
_MASS = update(_DELIVERY).where(
    _DELIVERY.c.msgid == bindparam("b_msgid"), _DELIVERY.c.channel == Channel.MASS.value,
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
        ctx.session.execute(_FAIL, {**params, "b_error": f"微信回报{reason}（{status}）"[:200]})
    else:
        ctx.session.execute(_CONFIRM, params)
    return NO_REPLY


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
