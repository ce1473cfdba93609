"""Followers and tags: user/info, user/get and the tags/* endpoints the project uses."""

from __future__ import annotations

from wechat_bot.sandbox.api import OK, Call, endpoint, require_openid
from wechat_bot.sandbox.errors import ApiError
from wechat_bot.sandbox.state import Sandbox

STAR_TAG = 2  # WeChat's built-in 星标组; tags the account creates are numbered from 100
FIRST_TAG_ID = 100
MAX_TAGS = 100
MAX_TAGS_PER_USER = 20
MAX_OPENIDS_PER_CALL = 50
MAX_BATCHGET = 100
TAG_NAME_BYTES = 30


def _tags_key(sandbox: Sandbox) -> str:
    return sandbox.store.key("tags")


def _tag_names(sandbox: Sandbox) -> dict[int, str]:
    names = {int(k): v for k, v in sandbox.store.redis.hgetall(_tags_key(sandbox)).items()}
    return {STAR_TAG: "星标组", **names}


def _tag_id(sandbox: Sandbox, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise ApiError(45159)
    tag_id = int(value)
    if tag_id not in _tag_names(sandbox):
        raise ApiError(45159)
    return tag_id


def _members_key(sandbox: Sandbox, tag_id: int) -> str:
    return sandbox.store.key("tag-members", str(tag_id))


def _user_tags_key(sandbox: Sandbox, openid: str) -> str:
    return sandbox.store.key("user-tags", openid)


def tag_members(sandbox: Sandbox, tag_id) -> list[str]:
    """The followers carrying a tag (mass send by tag); 45159 for an unknown tag."""
    members = sandbox.store.redis.smembers(_members_key(sandbox, _tag_id(sandbox, tag_id)))
    return [p.openid for p in sandbox.people.followers() if p.openid in members]


def _user_tag_ids(sandbox: Sandbox, openid: str) -> list[int]:
    return sorted(int(t) for t in sandbox.store.redis.smembers(_user_tags_key(sandbox, openid)))


@endpoint("cgi-bin/user/info", methods=("GET",))
def user_info(sandbox: Sandbox, call: Call) -> dict:
    """GET cgi-bin/user/info?openid: a follower's profile; subscribe 0 for one who left."""
    return _profile(sandbox, require_openid(sandbox, call.args.get("openid"), following=False))


@endpoint("cgi-bin/user/info/batchget")
def user_info_batchget(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/user/info/batchget {user_list: [{openid, lang}]}: up to 100 profiles at once."""
    wanted = call.body.get("user_list")
    if not isinstance(wanted, list) or not 0 < len(wanted) <= MAX_BATCHGET:
        raise ApiError(40032)
    people = [require_openid(sandbox, entry.get("openid") if isinstance(entry, dict) else None,
                             following=False) for entry in wanted]
    return {"user_info_list": [_profile(sandbox, person) for person in people]}


def _profile(sandbox: Sandbox, person) -> dict:
    if not person.subscribed:
        return {"subscribe": 0, "openid": person.openid, "unionid": person.unionid}
    return {
        "subscribe": 1,
        "openid": person.openid,
        "language": "zh_CN",
        "subscribe_time": person.subscribe_time,
        "unionid": person.unionid,
        "remark": "",
        "groupid": 0,
        "tagid_list": _user_tag_ids(sandbox, person.openid),
        "subscribe_scene": person.subscribe_scene,
        "qr_scene": 0,
        "qr_scene_str": person.qr_scene_str,
    }


@endpoint("cgi-bin/user/get", methods=("GET",))
def user_get(sandbox: Sandbox, call: Call) -> dict:
    """GET cgi-bin/user/get?next_openid: the followers' openids (the sandbox has few: one page)."""
    openids = [p.openid for p in sandbox.people.followers()]
    after = call.args.get("next_openid")
    if after and after in openids:
        openids = openids[openids.index(after) + 1 :]
    return {
        "total": len(sandbox.people.followers()),
        "count": len(openids),
        "data": {"openid": openids},
        "next_openid": openids[-1] if openids else "",
    }


@endpoint("cgi-bin/tags/create")
def tags_create(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/tags/create {tag: {name}}."""
    tag = call.body.get("tag")
    name = tag.get("name") if isinstance(tag, dict) else None
    if not isinstance(name, str) or not name.strip() or name in _tag_names(sandbox).values():
        raise ApiError(45157)
    if len(name.encode("utf-8")) > TAG_NAME_BYTES:
        raise ApiError(45158)
    if len(_tag_names(sandbox)) >= MAX_TAGS:
        raise ApiError(45056)
    tag_id = FIRST_TAG_ID - 1 + sandbox.store.next_id("tag")
    sandbox.store.redis.hset(_tags_key(sandbox), str(tag_id), name)
    return {"tag": {"id": tag_id, "name": name}}


@endpoint("cgi-bin/tags/get", methods=("GET",))
def tags_get(sandbox: Sandbox, call: Call) -> dict:
    """GET cgi-bin/tags/get: every tag with its follower count."""
    redis = sandbox.store.redis
    return {
        "tags": [
            {"id": tag_id, "name": name, "count": redis.scard(_members_key(sandbox, tag_id))}
            for tag_id, name in sorted(_tag_names(sandbox).items())
        ]
    }


@endpoint("cgi-bin/tags/update")
def tags_update(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/tags/update {tag: {id, name}}."""
    tag = call.body.get("tag") if isinstance(call.body.get("tag"), dict) else {}
    tag_id = _tag_id(sandbox, tag.get("id"))
    name = tag.get("name")
    if tag_id == STAR_TAG or not isinstance(name, str) or not name.strip():
        raise ApiError(45157)
    if len(name.encode("utf-8")) > TAG_NAME_BYTES:
        raise ApiError(45158)
    sandbox.store.redis.hset(_tags_key(sandbox), str(tag_id), name)
    return dict(OK)


@endpoint("cgi-bin/tags/delete")
def tags_delete(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/tags/delete {tag: {id}}: the tag and every follower's membership of it."""
    tag = call.body.get("tag") if isinstance(call.body.get("tag"), dict) else {}
    tag_id = _tag_id(sandbox, tag.get("id"))
    if tag_id == STAR_TAG:
        raise ApiError(45159)
    redis = sandbox.store.redis
    for openid in redis.smembers(_members_key(sandbox, tag_id)):
        redis.srem(_user_tags_key(sandbox, openid), str(tag_id))
    redis.delete(_members_key(sandbox, tag_id))
    redis.hdel(_tags_key(sandbox), str(tag_id))
    return dict(OK)


def _tagging(sandbox: Sandbox, call: Call, *, add: bool) -> dict:
    openids = call.body.get("openid_list")
    if not isinstance(openids, list) or not 1 <= len(openids) <= MAX_OPENIDS_PER_CALL:
        raise ApiError(40032)
    tag_id = _tag_id(sandbox, call.body.get("tagid"))
    people = [require_openid(sandbox, o, following=False) for o in openids]
    redis = sandbox.store.redis
    for person in people:
        user_tags = _user_tags_key(sandbox, person.openid)
        if add:
            if (
                not redis.sismember(user_tags, str(tag_id))
                and redis.scard(user_tags) >= MAX_TAGS_PER_USER
            ):
                raise ApiError(45059)
            redis.sadd(user_tags, str(tag_id))
            redis.sadd(_members_key(sandbox, tag_id), person.openid)
        else:
            redis.srem(user_tags, str(tag_id))
            redis.srem(_members_key(sandbox, tag_id), person.openid)
    return dict(OK)


@endpoint("cgi-bin/tags/members/batchtagging")
def tags_batchtagging(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/tags/members/batchtagging {openid_list, tagid}: up to 50 at a time."""
    return _tagging(sandbox, call, add=True)


@endpoint("cgi-bin/tags/members/batchuntagging")
def tags_batchuntagging(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/tags/members/batchuntagging {openid_list, tagid}."""
    return _tagging(sandbox, call, add=False)


@endpoint("cgi-bin/tags/getidlist")
def tags_getidlist(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/tags/getidlist {openid}: the tags one follower carries."""
    person = require_openid(sandbox, call.body.get("openid"), following=False)
    return {"tagid_list": _user_tag_ids(sandbox, person.openid)}


@endpoint("cgi-bin/user/tag/get")
def user_tag_get(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/user/tag/get {tagid, next_openid}: the followers carrying a tag."""
    openids = tag_members(sandbox, call.body.get("tagid"))
    after = call.body.get("next_openid")
    if after and after in openids:
        openids = openids[openids.index(after) + 1 :]
    return {
        "count": len(openids),
        "data": {"openid": openids},
        "next_openid": openids[-1] if openids else "",
    }
