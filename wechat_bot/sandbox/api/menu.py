"""The custom menu: menu/create validates against WeChat's limits (PROTOCOL.md section 7), menu/get
answers what was created, menu/delete removes it. The chat page draws the created menu, or the one
in menus/ while nothing was created yet (a fresh demo before `sync-menu`).
"""

from __future__ import annotations

from wechat_bot.sandbox.api import OK, Call, endpoint
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


def current_menu(sandbox: Sandbox) -> tuple[dict, str]:
    """(menu, where it came from): what menu/create stored, else menus/ as shipped."""
    created = sandbox.store.get_json(_key(sandbox))
    if created:
        return created, "menu/create"
    from menus.loader import load_menu

    return load_menu(), "menus/"


@endpoint("cgi-bin/menu/create")
def menu_create(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/menu/create {button: [...]}: at most 3 buttons of at most 5 sub-buttons."""
    menu = validate_menu(call.body)
    menu["menuid"] = sandbox.store.next_id("menu")
    sandbox.store.set_json(_key(sandbox), menu)
    return dict(OK)


@endpoint("cgi-bin/menu/get", methods=("GET",))
def menu_get(sandbox: Sandbox, call: Call) -> dict:
    """GET cgi-bin/menu/get: the menu created last, or 46003."""
    created = sandbox.store.get_json(_key(sandbox))
    if not created:
        raise ApiError(46003)
    return {"menu": created}


@endpoint("cgi-bin/menu/delete", methods=("GET",))
def menu_delete(sandbox: Sandbox, call: Call) -> dict:
    """GET cgi-bin/menu/delete."""
    sandbox.store.redis.delete(_key(sandbox))
    return dict(OK)
