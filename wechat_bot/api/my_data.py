"""The signed-in person's own data: GET /me/export (我的数据) and DELETE /me (注销).

Thin over handlers.privacy, the same export and erasure as the bot's; docs/privacy.md.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint
from pydantic import BaseModel, Field

from handlers.context import STORE_DOWN
from handlers.privacy.erase import erase_account
from handlers.privacy.export import as_json, my_data
from wechat_bot.api.context import CHANNEL, current_user, now, settings, token_service
from wechat_bot.api.openapi import operation
from wechat_bot.my_data import write_queued_logs
from wechat_bot.notify import notify_users
from wechat_bot.runtime import current_runtime

log = logging.getLogger(__name__)
bp = Blueprint("my_data", __name__)
Rows = list[dict[str, Any]]


class MyDataOut(BaseModel):
    exported_at: str = Field(description="导出时间（ISO 8601，UTC）")
    wechat_user: dict[str, Any] = Field(description="微信用户：openid、关注与取消关注时间、最近互动、最近上报的位置")
    records: Rows = Field(description="本人绑定的学籍（名册信息含本人手机与邮箱）、本人修改的城市/单位/行业、隐私设置")
    binding_history: Rows = Field(description="绑定、解绑与失败的记录")
    reunions: Rows = Field(description="参与的返校预约：本人的家属、到校时间、评价")
    registrations: Rows = Field(description="活动报名：状态、同行人数、填写的回答、签到时间")
    chapters: Rows = Field(description="加入的校友分会")
    circles: dict[str, Any] = Field(description="校友圈：加入的圈、提出的申请、发布的圈通知")
    mentoring: dict[str, Any] = Field(description="校友导师：本人的导师资料、双方向的请求（对方联系方式仅限已接受的请求中对方留给本人的）")
    verifications: Rows = Field(description="人工核验申请")
    consents: dict[str, Any] = Field(description="推送偏好（退订/订阅）与小程序订阅消息授权")
    pushes: Rows = Field(description="发给本人的推送：摘要、时间、结果")
    messages: Rows = Field(description="最近发给公众号的消息（保留期内）")
    searches: Rows = Field(description="最近的校友查询（保留期内）")


class ErasedOut(BaseModel):
    erased: bool = True
    records_unbound: int = Field(description="解除绑定的学籍数（学籍记录由学校保留）")
    bookings: int = Field(description="取消或处理的返校预约数")
    registrations_cancelled: int = Field(description="取消的活动报名数（名额让给候补）")
    pushes_cancelled: int = Field(description="不再发送的待发推送数")


@bp.get("/me/export")
@operation(ok=MyDataOut, tags=["me"])
def export_me():
    """我的数据：系统保存的关于本人的全部信息（JSON）。

    不含其他校友的手机号和邮箱；导师请求中对方的联系方式只在请求被接受后、且是对方留给本人的。"""
    rt = current_runtime()
    write_queued_logs(rt)
    with rt.sessions() as session:
        return MyDataOut(**as_json(my_data(session, current_user(session), now())))


@bp.delete("/me")
@operation(ok=ErasedOut, tags=["me"])
def delete_me():
    """注销：解除绑定，删除本人提供的信息，取消尚未开始的返校预约和活动报名。

    学籍记录属于学校，保留并恢复为名册中的信息。本用户的所有令牌随即作废（包括本次请求的），
    再次登录即为新的未绑定用户。不可撤销。"""
    rt = current_runtime()
    write_queued_logs(rt)
    with rt.sessions.begin() as session:
        user = current_user(session)
        openid, user_id = user.openid, user.id
        erased = erase_account(session, user, now=now(), settings=settings(), store=rt.store,
                               notify=notify_users, channel=CHANNEL)
    token_service().revoke_all(user_id)
    if openid:
        try:  # a dialog the person had open in the bot ends with the account
            rt.store.delete(rt.keys.dialog(openid))
        except STORE_DOWN:
            log.warning("注销后未能删除对话状态（会自行过期）")
    return ErasedOut(records_unbound=erased.records_unbound, bookings=erased.bookings,
                     registrations_cancelled=erased.registrations_cancelled,
                     pushes_cancelled=erased.pushes_cancelled)
