"""Keep the WeChat tag behind the bound alumni's menu on exactly the followers who are bound.

Binding and unbinding (handlers/directory) change only the database. This job brings WeChat in
line with it: every follower that some roster record is bound to carries the tag (batchtagging),
nobody else does (batchuntagging). It reads the tag's members from WeChat on each run
(user/tag/get) instead of remembering what it tagged, so a tag edited by hand in the WeChat
console, a call lost in a crash or a restored database all heal on the next run, and there is no
state of ours to drift. The cost is one user/tag/get call per 10,000 tagged followers per run.

A follower bound since the last run sees the alumni menu after at most one interval
(`scheduler.alumni_tag_sync_seconds`); WeChat clients may cache the menu a little longer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wechatpy.exceptions import WeChatClientException

from models.alumnus import Alumnus
from models.wechat_user import WechatUser

log = logging.getLogger(__name__)

BATCH = 50  # tags/members/batchtagging and batchuntagging take at most 50 openids


@dataclass
class TagSync:
    tag_id: int
    tagged: list[str] = field(default_factory=list)
    untagged: list[str] = field(default_factory=list)
    failed: dict[str, int | None] = field(default_factory=dict)  # openid → errcode


def find_tag(wechat, name: str) -> int | None:
    for tag in wechat.tag.get():
        if tag.get("name") == name:
            return int(tag["id"])
    return None


def ensure_tag(wechat, name: str) -> int:
    """The tag's id on this account, creating the tag when it does not exist yet."""
    tag_id = find_tag(wechat, name)
    if tag_id is not None:
        return tag_id
    try:
        created = wechat.tag.create(name)
    except WeChatClientException as exc:
        if exc.errcode != 45157:  # name taken: someone created it meanwhile
            raise
        tag_id = find_tag(wechat, name)
        if tag_id is None:
            raise
        return tag_id
    log.info("创建了微信标签“%s”（id %s）", name, created["id"])
    return int(created["id"])


def bound_openids(session: Session) -> set[str]:
    """The official-account openids of followers some roster record is bound to."""
    return set(session.scalars(
        select(WechatUser.openid).join(Alumnus, Alumnus.wechat_user_id == WechatUser.id)
        .where(WechatUser.openid.is_not(None), WechatUser.subscribed.is_(True)).distinct()))


def tag_members(wechat, tag_id: int) -> set[str]:
    """Every follower WeChat says carries the tag (user/tag/get, 10,000 a page)."""
    members: set[str] = set()
    after = None
    while True:
        page = wechat.tag.get_tag_users(tag_id, after)
        openids = (page.get("data") or {}).get("openid") or []
        members.update(openids)
        after = page.get("next_openid")
        if not openids or not after:
            return members


def _apply(call, tag_id: int, openids: list[str], done: list[str], failed: dict) -> None:
    for start in range(0, len(openids), BATCH):
        chunk = openids[start:start + BATCH]
        try:
            call(tag_id, chunk)
            done.extend(chunk)
            continue
        except WeChatClientException as exc:
            if len(chunk) == 1:
                failed[chunk[0]] = exc.errcode
                continue
        for openid in chunk:  # one bad openid fails its whole batch: find it, do the rest
            try:
                call(tag_id, [openid])
                done.append(openid)
            except WeChatClientException as exc:
                failed[openid] = exc.errcode


def sync_tag(sessions: sessionmaker[Session], wechat, tag_name: str) -> TagSync:
    """Tag the bound followers who lack the tag and untag the rest; report what changed."""
    with sessions() as session:
        wanted = bound_openids(session)
    tag_id = ensure_tag(wechat, tag_name)
    current = tag_members(wechat, tag_id)
    result = TagSync(tag_id)
    _apply(wechat.tag.tag_user, tag_id, sorted(wanted - current), result.tagged, result.failed)
    _apply(wechat.tag.untag_user, tag_id, sorted(current - wanted), result.untagged, result.failed)
    if result.tagged or result.untagged or result.failed:
        log.info("标签“%s”：新贴 %d 人，撤下 %d 人，失败 %d 人", tag_name, len(result.tagged),
                 len(result.untagged), len(result.failed))
    for openid, errcode in result.failed.items():
        log.warning("标签“%s”：%s 未能同步（errcode %s）", tag_name, openid, errcode)
    return result
