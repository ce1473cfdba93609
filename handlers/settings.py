"""What handlers get as `Context.settings`: the school's names and each feature's own settings.

Each feature owns its settings dataclass in its folder (`handlers/<feature>/settings.py`);
wechat_bot.config reads the TOML section of the same name straight into it, so `Config.reunion` is
the very object found here as `settings.reunion`, and the bot, the API and the jobs share it
(`Config.features` builds this holder once).

A field marked `metadata={"derived": True}` is not read from the file or the environment: the
configuration fills it from other sections after reading (the directory's Redis key prefix).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.directory.settings import DirectorySettings
from handlers.reunion.settings import ReunionSettings


@dataclass(frozen=True)
class Settings:
    school_name: str = "示例大学"
    account_name: str = "示例大学校友会"
    timezone: str = "Asia/Shanghai"          # [app] timezone: what "today" and "this year" mean
    directory: DirectorySettings = field(default_factory=DirectorySettings)
    reunion: ReunionSettings = field(default_factory=ReunionSettings)
