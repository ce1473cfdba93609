"""The custom menu checked against WeChat's limits (PROTOCOL.md section 7) before it is pushed.

Every problem names the entry it is about — `按钮 2 → 子按钮 3（“我的活动”）：名称超过 60 字节` —
so the operator can find it in the TOML. Errors are what menu/create (or addconditional) would
refuse, or what would break a click (a key the router does not know); warnings are what WeChat
accepts but shows badly (a name the client cuts off with "…") or silently ignores.
"""

from __future__ import annotations

from dataclasses import dataclass

from menus.keys import MenuKey
from menus.loader import DEFAULT_FILE, MenuSet

MAX_BUTTONS, MAX_SUB_BUTTONS = 3, 5
NAME_BYTES, SUB_NAME_BYTES, KEY_BYTES, URL_BYTES = 16, 60, 128, 1024
NAME_SHOWN, SUB_NAME_SHOWN = 4, 8  # characters the client shows before "…"

# Which fields each button type needs (PROTOCOL.md section 7).
KEY_TYPES = frozenset({"click", "scancode_push", "scancode_waitmsg", "pic_sysphoto",
                       "pic_photo_or_album", "pic_weixin", "location_select"})
REQUIRED = {
    **{kind: ("key",) for kind in KEY_TYPES},
    "view": ("url",),
    "miniprogram": ("url", "appid", "pagepath"),
    "media_id": ("media_id",),
    "view_limited": ("media_id",),
    "article_id": ("article_id",),
    "article_view_limited": ("article_id",),
}
LEAF_FIELDS = frozenset({"type", "name", "key", "url", "appid", "pagepath", "media_id",
                         "article_id"})
# What a personalized menu's [matchrule] may say (the tag by name; WeChat wants its id).
MATCH_FIELDS = {"tag", "client_platform_type"}
TAG_BYTES = 30
PLATFORMS = {"1", "2", "3"}  # iOS, Android, others


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    error: bool = True

    def __str__(self) -> str:
        return f"{self.where}：{self.message}" if self.where else self.message


def _bytes(value: str) -> int:
    return len(value.encode("utf-8"))


def _where(index: int, name, sub: int | None = None, top_name=None) -> str:
    def label(kind: str, n: int, title) -> str:
        return f"{kind} {n}（“{title}”）" if isinstance(title, str) and title else f"{kind} {n}"

    if sub is None:
        return label("按钮", index, name)
    return f"按钮 {index} → {label('子按钮', sub, name)}"


class _Checker:
    def __init__(self, label: str) -> None:
        self.prefix = f"{label} " if label else ""
        self.problems: list[Problem] = []
        self.keys: dict[str, str] = {}

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.prefix + where, message))

    def warn(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.prefix + where, message, error=False))

    def name(self, where: str, name, limit: int, shown: int) -> None:
        if not isinstance(name, str) or not name.strip():
            self.error(where, "缺少名称（name）")
        elif _bytes(name) > limit:
            self.error(where, f"名称超过 {limit} 字节（现在 {_bytes(name)} 字节；一个汉字占 3 字节）")
        elif len(name) > shown:
            self.warn(where, f"名称超过 {shown} 个字，微信客户端只显示前 {shown} 个，其余显示为“…”")

    def leaf(self, where: str, button: dict) -> None:
        kind = button.get("type")
        for field in sorted(set(button) - LEAF_FIELDS - {"sub_button"}):
            self.error(where, f"未知字段 {field}")
        if kind is None:
            self.error(where, "缺少类型（type），也没有子按钮")
            return
        if kind not in REQUIRED:
            self.error(where, f"未知的按钮类型 {kind!r}")
            return
        for field in REQUIRED[kind]:
            value = button.get(field)
            if not isinstance(value, str) or not value.strip():
                self.error(where, f"{kind} 按钮缺少 {field}")
        for field in sorted(set(button) & LEAF_FIELDS - {"type", "name", *REQUIRED[kind]}):
            self.warn(where, f"{field} 对 {kind} 按钮无效，微信会忽略它")
        key, url = button.get("key"), button.get("url")
        if "key" in REQUIRED[kind] and isinstance(key, str) and key:
            self.key(where, kind, key)
        if "url" in REQUIRED[kind] and isinstance(url, str) and url:
            if _bytes(url) > URL_BYTES:
                self.error(where, f"网址超过 {URL_BYTES} 字节（现在 {_bytes(url)} 字节）")
            if not url.startswith(("http://", "https://")):
                self.error(where, "网址必须以 http:// 或 https:// 开头")

    def key(self, where: str, kind: str, key: str) -> None:
        if _bytes(key) > KEY_BYTES:
            self.error(where, f"键超过 {KEY_BYTES} 字节（现在 {_bytes(key)} 字节）")
        if key in self.keys:
            self.error(where, f"键 {key} 与{self.keys[key]}重复")
        else:
            self.keys[key] = where
        if kind == "click" and key not in {k.value for k in MenuKey}:
            known = "、".join(MenuKey)
            self.error(where, f"键 {key} 不是机器人认识的菜单键（menus/keys.py：{known}）")


def validate_menu(menu: dict, label: str = "") -> list[Problem]:
    """Every problem of a menu/create body ({"button": [...]}), errors and warnings, in order.

    `label` (e.g. "个性化菜单“已认证校友”") prefixes each entry, to tell several menus apart.
    """
    check = _Checker(label)
    buttons = menu.get("button") if isinstance(menu, dict) else None
    if not isinstance(buttons, list) or not buttons:
        check.error("菜单", "至少要有 1 个一级按钮（button）")
        return check.problems
    if len(buttons) > MAX_BUTTONS:
        check.error("菜单", f"最多 {MAX_BUTTONS} 个一级按钮（现在 {len(buttons)} 个）")
    for index, button in enumerate(buttons, start=1):
        if not isinstance(button, dict):
            check.error(_where(index, None), "必须是一个表（[[button]]）")
            continue
        where = _where(index, button.get("name"))
        check.name(where, button.get("name"), NAME_BYTES, NAME_SHOWN)
        subs = button.get("sub_button")
        if subs in (None, []):
            check.leaf(where, button)
            continue
        if not isinstance(subs, list):
            check.error(where, "sub_button 必须是按钮列表（[[button.sub_button]]）")
            continue
        for field in sorted(set(button) - {"name", "sub_button"}):
            check.error(where, f"有子按钮的一级按钮不能再设 {field}（微信只用它的子按钮）")
        if len(subs) > MAX_SUB_BUTTONS:
            check.error(where, f"最多 {MAX_SUB_BUTTONS} 个子按钮（现在 {len(subs)} 个）")
        for sub_index, sub in enumerate(subs, start=1):
            if not isinstance(sub, dict):
                check.error(_where(index, None, sub_index), "必须是一个表")
                continue
            sub_where = _where(index, sub.get("name"), sub_index)
            check.name(sub_where, sub.get("name"), SUB_NAME_BYTES, SUB_NAME_SHOWN)
            if sub.get("sub_button"):
                check.error(sub_where, "子按钮不能再有子按钮（微信菜单只有两级）")
            check.leaf(sub_where, sub)
    return check.problems


def validate_matchrule(rule: dict, label: str = "") -> list[Problem]:
    """A personalized menu's [matchrule]: a tag name, optionally client_platform_type.

    WeChat matches personalized menus only on tag_id and client_platform_type (sex, region and
    language rules are refused with 65320); the file names the tag, sync-menu finds its id.
    """
    check = _Checker(label)
    for field in sorted(set(rule) - MATCH_FIELDS):
        check.error("matchrule", f"只能按 tag（标签名）和 client_platform_type 匹配，不支持 {field}"
                                 "（微信拒绝其他规则：65320）")
    tag = rule.get("tag")
    if not isinstance(tag, str) or not tag.strip():
        check.error("matchrule", "缺少 tag（标签名）")
    elif _bytes(tag) > TAG_BYTES:
        check.error("matchrule", f"标签名超过 {TAG_BYTES} 字节（现在 {_bytes(tag)} 字节）")
    platform = rule.get("client_platform_type")
    if platform is not None and str(platform) not in PLATFORMS:
        check.error("matchrule", "client_platform_type 只能是 1（iOS）、2（Android）或 3（其他）")
    return check.problems


def validate_menus(menus: MenuSet) -> list[Problem]:
    """The default menu and every personalized menu, each problem labelled with its file."""
    problems = validate_menu(menus.default, DEFAULT_FILE)
    for personalized in menus.personalized:
        problems += validate_matchrule(personalized.matchrule, personalized.source)
        problems += validate_menu(personalized.menu, personalized.source)
    tags = [p.tag for p in menus.personalized]
    for tag in sorted({t for t in tags if tags.count(t) > 1}):
        problems.append(Problem("个性化菜单", f"标签“{tag}”被多个菜单文件使用，微信只会显示其中一个"))
    return problems


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.error]
