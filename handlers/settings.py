"""The feature settings handed to handlers in `Context.settings`; config.py fills them from TOML."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    school_name: str = "示例大学"
    account_name: str = "示例大学校友会"
