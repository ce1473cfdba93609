"""Every Chinese sentence the alumni card says: on the card, in the bot, to a checking site."""

from __future__ import annotations

import datetime as dt

from handlers.card.codes import Refusal

CARD_TITLE = "校友卡 ALUMNI CARD"


def more_degrees(count: int) -> str:
    return f"另有 {count} 项学历"


def footer(local: dt.datetime, *, with_code: bool) -> str:
    when = f"生成于 {local:%Y-%m-%d %H:%M}"
    if with_code:
        return f"{when} · 二维码每分钟更新，截图无效"
    return f"{when} · 仅供出示；扫码核验请在小程序中打开校友卡"


# --- the bot -----------------------------------------------------------------------------------
NOT_BOUND = ("电子校友卡只发给已认证的校友。\n"
             "请先发送「绑定 姓名 学号」认证校友身份，再发送「校友卡」。")
AS_TEXT = ("您的电子校友卡图片暂时发不出来，请稍后再发送「校友卡」。\n"
           "需要扫码核验时（校门、图书馆、食堂），请在小程序中打开校友卡：二维码每分钟更新。")


def card_as_text(name: str, lines: list[str]) -> str:
    return "\n".join([f"电子校友卡 · {name}", *lines, "", AS_TEXT])


# --- the API -----------------------------------------------------------------------------------
API_NOT_BOUND = "电子校友卡只发给已认证的校友，请先绑定校友身份。"
API_MESSAGE = "校门、图书馆、食堂核验时出示此二维码；每分钟自动更新，截图一分钟后失效。"

# --- a site's check (POST /cards/verify) ------------------------------------------------------
VALID = "有效：请核对持卡人姓名。"
REFUSALS = {
    Refusal.MALFORMED: "无法识别：这不是校友卡二维码。",
    Refusal.INVALID: "无效：校友卡二维码不正确或已作废。",
    Refusal.EXPIRED: "已过期：二维码每分钟更新，请持卡人刷新后重新出示（截图无效）。",
    Refusal.FUTURE: "无效：二维码的时间早于服务器时间，请检查手机时间后刷新。",
    Refusal.REVOKED: "已作废：持卡人的校友身份绑定已解除或变更。",
}
SITE_KEY_MISSING = "请在请求头 X-Site-Key 中提供核验点密钥（校友会管理后台「校友卡核验点」签发）。"
SITE_KEY_INVALID = "核验点密钥无效或已停用。"
