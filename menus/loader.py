"""Read the menus shipped in this package: the default menu and the personalized ones.

`menu.toml` is the default menu, the one every follower sees unless a personalized menu matches
them (visitors who have not bound yet). Every other `*.toml` here is a personalized menu
(WeChat's menu/addconditional) with a `[matchrule]`: `tag` names the WeChat tag it is shown to
(created on first sync), `client_platform_type` optionally narrows it to iOS (1), Android (2) or
others (3). Validation against WeChat's limits lives in menus.validate.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

DEFAULT_FILE = "menu.toml"


class MenuFileError(Exception):
    """A menu file that cannot be read; str() names the file."""


@dataclass(frozen=True)
class PersonalizedMenu:
    """A menu shown to followers carrying `tag` (a tag name; WeChat matches on its id)."""

    source: str
    tag: str
    menu: dict
    matchrule: dict  # as written in the file: {"tag": ..., "client_platform_type": ...}

    def wechat_matchrule(self, tag_id: int) -> dict:
        """The matchrule menu/addconditional takes, for the tag's id on this account."""
        rule = {"tag_id": str(tag_id)}
        if self.matchrule.get("client_platform_type") is not None:
            rule["client_platform_type"] = str(self.matchrule["client_platform_type"])
        return rule


@dataclass(frozen=True)
class MenuSet:
    default: dict
    personalized: tuple[PersonalizedMenu, ...] = ()

    @property
    def tags(self) -> list[str]:
        """The tags personalized menus match on, in file order, each once."""
        return list(dict.fromkeys(p.tag for p in self.personalized))


def _folder(directory: str | Path | None) -> Traversable:
    return Path(directory) if directory is not None else resources.files("menus")


def _read(file: Traversable) -> dict:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MenuFileError(f"菜单文件 {file.name} 无法解析：{exc}") from None


def _body(data: dict, name: str) -> dict:
    extra = sorted(set(data) - {"button", "matchrule"})
    if extra:
        raise MenuFileError(f"菜单文件 {name}：未知的表或字段 {', '.join(extra)}")
    return {"button": data.get("button", [])}


def load_menu(directory: str | Path | None = None) -> dict:
    """The default menu as WeChat's menu/create body: {"button": [...]}."""
    return _body(_read(_folder(directory).joinpath(DEFAULT_FILE)), DEFAULT_FILE)


def load_menus(directory: str | Path | None = None) -> MenuSet:
    """The default menu and every personalized menu (the other *.toml files), in name order."""
    folder = _folder(directory)
    personalized = []
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    for file in files:
        if file.name == DEFAULT_FILE:
            continue
        data = _read(file)
        rule = data.get("matchrule")
        if not isinstance(rule, dict) or not isinstance(rule.get("tag"), str) or not rule["tag"]:
            raise MenuFileError(f"菜单文件 {file.name}：个性化菜单需要 [matchrule] 和其中的 tag（标签名）")
        personalized.append(PersonalizedMenu(file.name, rule["tag"], _body(data, file.name), rule))
    return MenuSet(load_menu(directory), tuple(personalized))
