"""The custom menu: menu/create validates against WeChat's limits (PROTOCOL.md section 7), menu/get
answers what was created, menu/delete removes it. The chat page draws the created menu, or the one
in menus/ while nothing was created yet (a fresh demo before `sync-menu`).

Personalized menus (menu/addconditional, delconditional, trymatch) are matched as WeChat documents
it: newest first, the first whose matchrule fits the follower wins, else the default menu. A rule
names a tag (tags/members/batchtagging puts people on it) and optionally a client platform; the
simulated phone is neither iOS nor Android, so it counts as 其他 (client_platform_type 3).
"""

from __future__ import annotations

import json

from wechat_bot.sandbox.api import OK, Call, endpoint
from wechat_bot.sandbox.api.users import tag_members
from wechat_bot.sandbox.errors import ApiError
from wechat_bot.sandbox.state import Sandbox

MAX_BUTTONS, MAX_SUB_BUTTONS = 3, 5
NAME_BYTES, SUB_NAME_BYTES, KEY_BYTES, URL_BYTES = 16, 60, 128, 1024
KEY_TYPES = frozenset(
    {
        "click",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
    }
)
MEDIA_TYPES = frozenset({"media_id", "view_limited"})
ARTICLE_TYPES = frozenset({"article_id", "article_view_limited"})
TYPES = KEY_TYPES | MEDIA_TYPES | ARTICLE_TYPES | {"view", "miniprogram"}
FIELDS = ("type", "name", "key", "url", "appid", "pagepath", "media_id", "article_id")
# errcodes for (button type, name size, key size, url size), top level and sub-button.
TOP_CODES = (40017, 40018, 40019, 40020)
SUB_CODES = (40024, 40025, 40026, 40027)
# matchrule fields WeChat still matches on; sex, country, province, city and language are refused
# with 65320 since WeChat stopped matching on private data. A field left empty is "no condition".
RULE_FIELDS = ("tag_id", "client_platform_type")
PLATFORMS = ("1", "2", "3")  # iOS, Android, others
PHONE_PLATFORM = "3"


def _size(value) -> int:
    return len(value.encode("utf-8")) if isinstance(value, str) else 0


def _leaf(button: dict, codes: tuple[int, int, int, int]) -> dict:
    type_code, _, key_code, url_code = codes
    kind = button.get("type")
    if kind not in TYPES:
        raise ApiError(type_code)
    if kind in KEY_TYPES and not 0 < _size(button.get("key")) <= KEY_BYTES:
        raise ApiError(key_code)
    if kind in ("view", "miniprogram") and not 0 < _size(button.get("url")) <= URL_BYTES:
        raise ApiError(url_code)
    if kind == "miniprogram" and not (button.get("appid") and button.get("pagepath")):
        raise ApiError(40097, "miniprogram needs appid and pagepath")
    if kind in MEDIA_TYPES and not button.get("media_id"):
        raise ApiError(40007)
    if kind in ARTICLE_TYPES and not button.get("article_id"):
        raise ApiError(40097, "article_id")
    return {f: button[f] for f in FIELDS if f in button}


def validate_menu(body: dict) -> dict:
    """The menu as it will be stored, or the errcode menu/create answers for it."""
    buttons = body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        raise ApiError(40016)
    out = []
    for button in buttons:
        if not isinstance(button, dict) or not 0 < _size(button.get("name")) <= NAME_BYTES:
            raise ApiError(40018)
        subs = button.get("sub_button")
        if not subs:
            out.append(_leaf(button, TOP_CODES))
            continue
        if not isinstance(subs, list) or len(subs) > MAX_SUB_BUTTONS:
            raise ApiError(40023)
        checked = []
        for sub in subs:
            if not isinstance(sub, dict) or not 0 < _size(sub.get("name")) <= SUB_NAME_BYTES:
                raise ApiError(40025)
            if sub.get("sub_button"):
                raise ApiError(40022)
            checked.append(_leaf(sub, SUB_CODES))
        out.append({"name": button["name"], "sub_button": checked})
    return {"button": out}


def _key(sandbox: Sandbox) -> str:
    return sandbox.store.key("menu")


def _conditional_key(sandbox: Sandbox) -> str:
    return sandbox.store.key("menu-conditional")  # hash: menuid → {button, matchrule, menuid}


def current_menu(sandbox: Sandbox) -> tuple[dict, str]:
    """(menu, where it came from): what menu/create stored, else menus/ as shipped."""
    created = sandbox.store.get_json(_key(sandbox))
    if created:
        return created, "menu/create"
    from menus.loader import load_menu

    return load_menu(), "menus/"


def conditional_menus(sandbox: Sandbox) -> list[dict]:
    """The personalized menus in the order they were added (menuids only grow)."""
    stored = sandbox.store.redis.hgetall(_conditional_key(sandbox)).values()
    return sorted((json.loads(raw) for raw in stored), key=lambda menu: menu["menuid"])


def match_menus(sandbox: Sandbox, openids: list[str]) -> dict[str, dict | None]:
    """The personalized menu each person sees (None: the default one), newest rule first."""
    newest_first = conditional_menus(sandbox)[::-1]
    members: dict[str, set[str]] = {}
    for menu in newest_first:
        tag_id = menu["matchrule"].get("tag_id")
        if tag_id and tag_id not in members:
            try:
                members[tag_id] = set(tag_members(sandbox, tag_id))
            except ApiError:  # the tag was deleted since: nobody carries it
                members[tag_id] = set()

    def fits(rule: dict, openid: str) -> bool:
        platform = rule.get("client_platform_type")
        tag_id = rule.get("tag_id")
        return (not platform or platform == PHONE_PLATFORM) and (
            not tag_id or openid in members[tag_id]
        )

    return {
        openid: next((m for m in newest_first if fits(m["matchrule"], openid)), None)
        for openid in openids
    }


def _field(value) -> str:
    """A rule field as text: "" when left out; anything but a string or a number fails later."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return json.dumps(value)
    return str(value).strip()


def validate_matchrule(sandbox: Sandbox, body: dict) -> dict:
    """The matchrule as stored, or the errcode menu/addconditional answers for it."""
    rule = body.get("matchrule")
    given = {k: _field(v) for k, v in rule.items()} if isinstance(rule, dict) else {}
    given = {k: v for k, v in given.items() if v}
    if not given:
        raise ApiError(65304)
    if set(given) - set(RULE_FIELDS):
        raise ApiError(65320, ", ".join(sorted(set(given) - set(RULE_FIELDS))))
    checked = {}
    if "tag_id" in given:
        # What WeChat answers for a tag the account does not have is not documented; 40050 is the
        # global table's 不合法的分组id (tag ids were group ids before tags replaced groups).
        try:
            tag_members(sandbox, given["tag_id"])
        except ApiError:
            raise ApiError(40050) from None
        checked["tag_id"] = str(int(given["tag_id"]))
    if "client_platform_type" in given:
        if given["client_platform_type"] not in PLATFORMS:
            raise ApiError(40097, "client_platform_type")  # the real errcode is undocumented
        checked["client_platform_type"] = given["client_platform_type"]
    return checked


def _menuid(value) -> int | None:
    # The documentation posts menuid as a string; menu/get answers it as a number: take both.
    text = _field(value)
    return int(text) if text.isdigit() else None


@endpoint("cgi-bin/menu/create")
def menu_create(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/menu/create {button: [...]}: at most 3 buttons of at most 5 sub-buttons."""
    menu = validate_menu(call.body)
    menu["menuid"] = sandbox.store.next_id("menu")
    sandbox.store.set_json(_key(sandbox), menu)
    return dict(OK)


@endpoint("cgi-bin/menu/get", methods=("GET",))
def menu_get(sandbox: Sandbox, call: Call) -> dict:
    """GET cgi-bin/menu/get: the menu created last and the personalized menus, or 46003."""
    created = sandbox.store.get_json(_key(sandbox))
    if not created:
        raise ApiError(46003)
    conditional = conditional_menus(sandbox)
    return {"menu": created, **({"conditionalmenu": conditional} if conditional else {})}


@endpoint("cgi-bin/menu/delete", methods=("GET",))
def menu_delete(sandbox: Sandbox, call: Call) -> dict:
    """GET cgi-bin/menu/delete: the default menu and every personalized menu."""
    sandbox.store.redis.delete(_key(sandbox), _conditional_key(sandbox))
    return dict(OK)


@endpoint("cgi-bin/menu/addconditional")
def menu_addconditional(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/menu/addconditional {button, matchrule{tag_id, client_platform_type}}."""
    if not sandbox.store.get_json(_key(sandbox)):
        raise ApiError(65303)
    rule = validate_matchrule(sandbox, call.body)
    menu = {**validate_menu(call.body), "matchrule": rule}
    menu["menuid"] = sandbox.store.next_id("menu")
    sandbox.store.redis.hset(
        _conditional_key(sandbox), str(menu["menuid"]), json.dumps(menu, ensure_ascii=False)
    )
    return {"menuid": menu["menuid"]}


@endpoint("cgi-bin/menu/delconditional")
def menu_delconditional(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/menu/delconditional {menuid}: 65301 when no personalized menu has it."""
    menuid = _menuid(call.body.get("menuid"))
    if menuid is None or not sandbox.store.redis.hdel(_conditional_key(sandbox), str(menuid)):
        raise ApiError(65301)
    return dict(OK)


@endpoint("cgi-bin/menu/trymatch")
def menu_trymatch(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/menu/trymatch {user_id}: the buttons that follower sees (openids only here)."""
    person = sandbox.people.get(_field(call.body.get("user_id")) or None)
    if person is None:
        raise ApiError(65302)
    default = sandbox.store.get_json(_key(sandbox))
    if not default:
        raise ApiError(46003)
    matched = match_menus(sandbox, [person.openid])[person.openid]
    return {"button": (matched or default)["button"]}
