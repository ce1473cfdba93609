"""Read the menu definition shipped in this package (validation against WeChat's limits: issue 5)."""

from __future__ import annotations

import tomllib
from importlib import resources


def load_menu() -> dict:
    """The menu as WeChat's menu/create body: {"button": [...]}."""
    text = resources.files("menus").joinpath("menu.toml").read_text(encoding="utf-8")
    return {"button": tomllib.loads(text)["button"]}
