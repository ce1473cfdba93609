"""What would change if a menu replaced the live one, as lines an operator reads (Chinese).

Both menus are drawn as short outlines — one line per button, the sub-buttons indented under their
top-level button, each with what a tap does — and compared line by line, so an added, removed,
renamed or re-keyed button shows as `+` / `-` lines in place:

      ▸ 校友
    -     身份绑定 · 点击 BIND
    +     我的资料 · 点击 PROFILE

WeChat's menu/get answers with extras the menu/create body never had (`menuid`, empty
`sub_button` lists on plain buttons, an empty `url`); `normalize` drops them so an unchanged menu
compares equal.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

LEAF_FIELDS = ("type", "name", "key", "url", "appid", "pagepath", "media_id", "article_id")

KINDS = {
    "click": "点击", "view": "网页", "miniprogram": "小程序", "scancode_push": "扫码",
    "scancode_waitmsg": "扫码（等待回复）", "pic_sysphoto": "拍照", "pic_photo_or_album": "拍照或相册",
    "pic_weixin": "微信相册", "location_select": "选择位置", "media_id": "素材",
    "view_limited": "图文素材", "article_id": "发布的图文", "article_view_limited": "发布的图文（链接）",
}


def _leaf(button: dict) -> dict:
    return {f: button[f] for f in LEAF_FIELDS if button.get(f) not in (None, "")}


def normalize(menu: dict | None) -> dict:
    """The menu reduced to what menu/create takes: {"button": [...]}, or {"button": []} for none."""
    out = []
    for button in (menu or {}).get("button") or []:
        subs = button.get("sub_button")
        if isinstance(subs, dict):  # some menu/get answers wrap it: {"list": [...]}
            subs = subs.get("list")
        if subs:
            out.append({"name": button.get("name"), "sub_button": [_leaf(s) for s in subs]})
        else:
            out.append(_leaf(button))
    return {"button": out}


def describe(button: dict) -> str:
    """What tapping a button does, e.g. "点击 BIND", "网页 https://…"."""
    kind = button.get("type")
    label = KINDS.get(kind, str(kind))
    if kind == "view":
        return f"{label} {button.get('url', '')}"
    if kind == "miniprogram":
        return (f"{label} {button.get('appid', '')} {button.get('pagepath', '')}"
                f"（备用网页 {button.get('url', '')}）")
    if kind in ("media_id", "view_limited"):
        return f"{label} {button.get('media_id', '')}"
    if kind in ("article_id", "article_view_limited"):
        return f"{label} {button.get('article_id', '')}"
    return f"{label} {button.get('key', '')}"


def outline(menu: dict | None) -> list[str]:
    """The menu as lines: "▸ 校友", then "    身份绑定 · 点击 BIND" for each sub-button."""
    lines = []
    for button in normalize(menu)["button"]:
        if "sub_button" in button:
            lines.append(f"▸ {button['name']}")
            lines += [f"    {s.get('name')} · {describe(s)}" for s in button["sub_button"]]
        else:
            lines.append(f"▸ {button.get('name')} · {describe(button)}")
    return lines


@dataclass(frozen=True)
class MenuDiff:
    changed: bool
    lines: list[str]  # the new outline with "+ " / "- " / "  " marks; [] when there is no menu


def diff_menus(live: dict | None, wanted: dict | None) -> MenuDiff:
    """Compare the live menu (None: there is none) with the one to push."""
    old, new = outline(live), outline(wanted)
    if old == new:
        return MenuDiff(False, [f"  {line}" for line in new])
    lines = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            lines += [f"  {line}" for line in old[a1:a2]]
            continue
        lines += [f"- {line}" for line in old[a1:a2]]
        lines += [f"+ {line}" for line in new[b1:b2]]
    return MenuDiff(True, lines)
