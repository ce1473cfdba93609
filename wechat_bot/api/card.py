"""The alumni card through the API: `GET /me/card` (the holder's minute code) and
`POST /cards/verify` (a campus site checks one), both over handlers.card.

`/me/card` wants the alumnus's bearer token; `/cards/verify` wants a site key in `X-Site-Key` and
nothing else: an alumnus's token there is 401, and a site key is no bearer token anywhere else
(the token service refuses it). Checks are rate-limited per site (`card.verify_per_minute`).
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, request
from pydantic import BaseModel, Field

from handlers.card import texts
from handlers.card.codes import IssuedCode, card_key, issue_code
from handlers.card.fonts import find_font
from handlers.card.holder import CardHolder, card_holder
from handlers.card.render import render_card
from handlers.card.sites import site_for_key
from handlers.card.verify import verify_card
from handlers.context import STORE_DOWN
from handlers.limits import RateLimit
from handlers.reunion.passes import pass_key
from wechat_bot.api.context import current_user, now, settings
from wechat_bot.api.errors import ApiError, unauthorized
from wechat_bot.api.openapi import SITE_KEY, operation
from wechat_bot.runtime import current_runtime

log = logging.getLogger(__name__)
bp = Blueprint("card", __name__)

MAX_CODE = 64
# The mini-program needs one image a minute; drawing one costs the server ~15 ms of CPU.
IMAGES_PER_MINUTE = 20


class DegreeOut(BaseModel):
    degree: str = Field(description="学历：本科 / 硕士 / 博士（花名册未填时为「校友」）")
    graduation_year: int = Field(description="毕业年份")
    college: str | None = Field(description="学院")


class HolderOut(BaseModel):
    school: str
    name: str
    degrees: list[DegreeOut] = Field(description="每条已绑定的学籍一项，按毕业年份")


class CardOut(HolderOut):
    code: str = Field(description="校友卡二维码的内容（每分钟更新），展示为二维码")
    refresh_at: dt.datetime = Field(description="到此时刻请重新获取")
    expires_at: dt.datetime = Field(description="核验点在此时刻后不再接受这个码")
    message: str


class VerifyIn(BaseModel):
    code: str = Field(min_length=1, max_length=MAX_CODE, description="扫到的校友卡二维码内容")


class VerifyOut(BaseModel):
    valid: bool = Field(description="是否有效")
    reason: str = Field(description="valid，或 malformed / invalid / expired / future / revoked")
    message: str = Field(description="给核验人员看的说明")
    holder: HolderOut | None = Field(description="有效时：持卡人的公开信息（无学号、手机、邮箱）")
    first_use: bool | None = Field(
        description="本核验点是否第一次核验这个码（同一码在有效期内可重复出示；只许一次的闸机可据此拒绝）；"
                    "无法判断时为 null")
    expires_at: dt.datetime | None = Field(description="有效时：这个码失效的时刻")
    site: str = Field(description="核验点名称")


def _key() -> bytes:
    return card_key(pass_key(current_runtime().config.app.secret_key))


def _own_card(at: dt.datetime) -> tuple[CardHolder, IssuedCode]:
    """The caller's card and its code for this minute; 403 unless they are bound."""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        holder = card_holder(session, user.id, settings().school_name)
    if holder is None:
        raise ApiError(403, "not_bound", texts.API_NOT_BOUND)
    return holder, issue_code(_key(), holder.user_id, holder.stamp, at)


@bp.get("/me/card")
@operation(ok=CardOut, errors=(403,), tags=["card"])
def my_card():
    """本人的电子校友卡：公开信息和每分钟更新的二维码内容。

    只发给已绑定校友身份的用户（否则 403 `not_bound`）。解绑后立即作废：已出示的码核验时为 `revoked`。"""
    holder, issued = _own_card(now())
    return CardOut(**holder.public(), code=issued.code, refresh_at=issued.refresh_at,
                   expires_at=issued.expires_at, message=texts.API_MESSAGE)


def _limit(what: str, who: int, per_minute: int, at: dt.datetime, message: str) -> None:
    """At most `per_minute` of `what` by `who`; when Redis is down, no limit (the door stays open)."""
    rt = current_runtime()
    try:
        decision = RateLimit(rt.store, rt.keys("card", what, "")).allow(str(who), per_minute, 60, at)
    except STORE_DOWN:
        log.warning("Redis 不可用：校友卡暂不限流（%s）", what)
        return
    if not decision.allowed:
        raise ApiError(429, "rate_limited", message, retry_after=decision.retry_after)


@bp.post("/cards/verify")
@operation(ok=VerifyOut, errors=(401, 429), public=True, tags=["card"], security=SITE_KEY)
def verify(json: VerifyIn):
    """核验点（校门、图书馆、食堂）核验一张校友卡的二维码。

    请求头 `X-Site-Key` 带管理后台签发的核验点密钥（校友的登录令牌不能核验，核验点密钥也不能调用其他接口）。
    无论有效与否都返回 200 和 `valid`；每次核验都记入审计日志。"""
    at = now()
    rt = current_runtime()
    with rt.sessions.begin() as session:
        given = request.headers.get("X-Site-Key", "").strip()
        if not given:
            raise unauthorized(texts.SITE_KEY_MISSING, code="site_key_missing")
        site = site_for_key(session, given)
        if site is None:
            raise unauthorized(texts.SITE_KEY_INVALID, code="site_key_invalid")
        _limit("verify", site.id, settings().card.verify_per_minute, at, "核验太频繁了，请稍后再试。")
        result = verify_card(session, key=_key(), code=json.code, site=site, now=at,
                             school=settings().school_name, store=rt.store, prefix=rt.keys("card", ""),
                             ip=request.remote_addr)
        site_name = site.name
    holder = result.holder.public() if result.holder else None
    return VerifyOut(valid=result.valid, reason=result.reason, message=result.message, holder=holder,
                     first_use=result.first_use, expires_at=result.expires_at, site=site_name)


@bp.get("/me/card/image")
@operation(ok=None, errors=(403, 429), tags=["card"])
def my_card_image():
    """本人的电子校友卡图片（PNG），右侧是本分钟的二维码（与 `GET /me/card` 的 `code` 相同）。

    图片每分钟需重新获取（每人每分钟最多 20 次，超过时 429）；未绑定时 403 `not_bound`。"""
    at = now()
    holder, issued = _own_card(at)
    _limit("image", holder.user_id, IMAGES_PER_MINUTE, at, "校友卡图片刷新太频繁了，请一分钟后再试。")
    png = render_card(holder, find_font(settings().card.font_path), drawn_at=at,
                      zone=ZoneInfo(settings().timezone), code=issued.code)
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Card-Code-Expires"] = issued.expires_at.isoformat()
    return response
