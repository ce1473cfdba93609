"""GET /chapters, GET /chapters/{id}, POST /chapters/{id}/members: the bot's 分会 and 加入分会.

Thin over handlers.chapters (discovery, membership): the same matching, the same nearest-first
order, the same rule that only verified alumni join. What this door adds is the liaison's
notification: wechat_bot may use the push outbox, so a bound liaison gets a WeChat notification
(handlers cannot reach the outbox themselves; without it they leave a staff alert).
"""

from __future__ import annotations

from flask import Blueprint
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from handlers.chapters.discovery import (
    ChapterView,
    Discovery,
    all_chapters,
    chapter_view,
    find_chapters,
    nearest_chapters,
)
from handlers.chapters.geo import distance_km
from handlers.chapters.membership import JoinOutcome, is_member, join_chapter
from wechat_bot.api.context import CHANNEL, current_user, now
from wechat_bot.api.errors import ApiError
from wechat_bot.api.me import not_bound
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import text
from wechat_bot.notify import notify_users
from wechat_bot.runtime import current_runtime

bp = Blueprint("chapters", __name__)

MAX_LIMIT = 50


class ChaptersQuery(BaseModel):
    city: text(50) = Field("", description="城市、省份、国家、分会名称或行业词，如 苏州、江苏、美国、金融")
    lat: float | None = Field(None, ge=-90, le=90,
                              description="纬度；与 lng 一起给出时按距离由近到远（只给一个则不计位置）")
    lng: float | None = Field(None, ge=-180, le=180, description="经度")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="最多返回几个")

    @property
    def point(self) -> tuple[float, float] | None:
        # Both or neither: OpenAPI cannot say "lng is required with lat", and a schema-valid query
        # must not be refused, so half a point is no point.
        return (self.lat, self.lng) if self.lat is not None and self.lng is not None else None


class LiaisonOut(BaseModel):
    name: str
    contact: str | None = Field(description="联络员同意公开的联系方式")


class ChapterOut(BaseModel):
    id: int
    name: str
    kind: str = Field(description="regional 地区 / overseas 海外 / industry 行业")
    city: str | None
    province: str | None
    country: str | None = Field(description="ISO 3166-1 国家代码，如 CN、US")
    country_name: str | None = Field(description="国家的中文名")
    latitude: float | None
    longitude: float | None
    intro: str | None
    liaisons: list[LiaisonOut]
    members: int = Field(description="成员人数")
    distance_km: float | None = Field(description="与给出的位置（lat/lng，或所查城市）的球面距离，公里")


class ChaptersPage(BaseModel):
    items: list[ChapterOut]
    matched: str = Field(description="city / province / country / name / industry / nearest / "
                                     "near_place（该城市暂无分会，列出最近的）/ nothing")
    understood_as: str = Field(description="查询被理解为的地点或词，如 苏州、江苏、美国")
    total: int = Field(description="匹配的分会总数（items 只含前 limit 个）")


class ChapterDetail(ChapterOut):
    is_member: bool = Field(description="我是否已加入")


class MembershipOut(BaseModel):
    chapter_id: int
    joined: bool = True
    members: int


@bp.get("/chapters")
@operation(ok=ChaptersPage, tags=["chapters"])
def list_chapters(query: ChaptersQuery):
    """查找校友分会。

    `city` 可以是城市（中文或英文）、省份（江苏可找到苏州和南京）、国家、分会名称或行业词；
    没有分会的已知城市列出最近的分会。只给 `lat`/`lng` 时按距离由近到远列出地区和海外分会。
    两者都不给则列出全部分会。每项带联络员、其公开的联系方式和成员人数。"""
    with current_runtime().sessions.begin() as session:
        current_user(session)
        found = _discover(session, query)
    return ChaptersPage(items=[_out(c) for c in found.chapters], matched=found.matched.value,
                        understood_as=found.understood_as, total=found.total)


@bp.get("/chapters/<int:chapter_id>")
@operation(ok=ChapterDetail, errors=(404,), tags=["chapters"])
def get_chapter(chapter_id: int):
    """一个分会的简介、联络员和成员人数；编号不存在时返回 404。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        found = chapter_view(session, chapter_id)
        if found is None:
            raise _no_such_chapter(chapter_id)
        member = is_member(session, user, chapter_id)
    return ChapterDetail(**_out(found).model_dump(), is_member=member)


@bp.post("/chapters/<int:chapter_id>/members")
@operation(ok=MembershipOut, status=201, errors=(403, 404, 409), tags=["chapters"])
def join(chapter_id: int):
    """以当前校友身份加入分会，并通知该分会的联络员。

    未绑定时 403 `not_bound`；分会不存在或已关闭时 404；重复加入时 409 `already_member`。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        result = join_chapter(session, user, chapter_id, now=now(), channel=CHANNEL,
                              notify=notify_users)
        if result.outcome is JoinOutcome.NO_SUCH_CHAPTER:
            raise _no_such_chapter(chapter_id)
        if result.outcome is JoinOutcome.NOT_BOUND:
            raise not_bound()
        if result.outcome is JoinOutcome.ALREADY_MEMBER:
            raise ApiError(409, "already_member", f"您已经是{result.chapter.name}的成员了。")
        view = chapter_view(session, chapter_id)
    return MembershipOut(chapter_id=chapter_id, members=view.members), 201


def _discover(session: Session, query: ChaptersQuery) -> Discovery:
    point = query.point
    if query.city:
        found = find_chapters(session, query.city, limit=query.limit)
        if point is not None and found.chapters:
            found = Discovery([_with_distance(c, *point) for c in found.chapters],
                              found.matched, found.total, found.understood_as)
        return found
    if point is not None:
        return nearest_chapters(session, *point, limit=query.limit)
    return all_chapters(session, limit=query.limit)


def _with_distance(chapter: ChapterView, lat: float, lng: float) -> ChapterView:
    if chapter.latitude is None or chapter.longitude is None:
        return chapter
    from dataclasses import replace

    return replace(chapter, distance_km=distance_km(lat, lng, chapter.latitude, chapter.longitude))


def _out(chapter: ChapterView) -> ChapterOut:
    return ChapterOut(
        id=chapter.id, name=chapter.name, kind=chapter.kind, city=chapter.city,
        province=chapter.province, country=chapter.country, country_name=chapter.country_name,
        latitude=chapter.latitude, longitude=chapter.longitude, intro=chapter.intro,
        liaisons=[LiaisonOut(name=lia.name, contact=lia.contact) for lia in chapter.liaisons],
        members=chapter.members,
        distance_km=round(chapter.distance_km, 1) if chapter.distance_km is not None else None)


def _no_such_chapter(chapter_id: int) -> ApiError:
    return ApiError(404, "not_found", f"没有编号为 {chapter_id} 的分会。")
