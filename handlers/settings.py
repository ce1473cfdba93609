"""What handlers get as `Context.settings`: the school's names and each feature's own settings.

Each feature owns its settings dataclass in its folder (`handlers/<feature>/settings.py`), with a
`problems()` that checks it. Listing it here as a field is all a feature does to have a section:
wechat_bot.config reads the TOML section of the field's name straight into it (and the environment's
ALUMNI_BOT_<FEATURE>_<KEY>), so `config.reunion` is the very object found here as
`settings.reunion`, and the bot, the API and the jobs share it (`Config.features` is this holder).

A field marked `metadata={"derived": True}` is not read from the file or the environment: the
configuration fills it from other sections after reading (the directory's Redis key prefix).
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from functools import cache

from handlers.card.settings import CardSettings
from handlers.circles.settings import CircleSettings
from handlers.directory.settings import DirectorySettings
from handlers.events.settings import EventSettings
from handlers.mentors.settings import MentorSettings
from handlers.privacy.settings import PrivacySettings
from handlers.reunion.settings import ReunionSettings
from handlers.staff.settings import AdminSettings
from handlers.verification.settings import VerificationSettings


@dataclass(frozen=True)
class Settings:
    school_name: str = "示例大学"
    account_name: str = "示例大学校友会"
    timezone: str = "Asia/Shanghai"          # [app] timezone: what "today" and "this year" mean
    directory: DirectorySettings = field(default_factory=DirectorySettings)
    reunion: ReunionSettings = field(default_factory=ReunionSettings)
    admin: AdminSettings = field(default_factory=AdminSettings)  # the admin page: [admin]
    verification: VerificationSettings = field(default_factory=VerificationSettings)
    events: EventSettings = field(default_factory=EventSettings)
    card: CardSettings = field(default_factory=CardSettings)  # the alumni card: [card]
    mentors: MentorSettings = field(default_factory=MentorSettings)  # [mentors]
    circles: CircleSettings = field(default_factory=CircleSettings)  # alumni circles: [circles]
    privacy: PrivacySettings = field(default_factory=PrivacySettings)  # data protection: [privacy]


@cache
def feature_sections() -> dict[str, type]:
    """The configuration's feature sections: each dataclass field of Settings, by name."""
    hints = typing.get_type_hints(Settings)
    return {f.name: hints[f.name] for f in dataclasses.fields(Settings)
            if dataclasses.is_dataclass(hints[f.name])}
