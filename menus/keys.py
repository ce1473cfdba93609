"""Menu click keys (SPEC 5): the EventKey values the router and menu.toml both use."""

from enum import StrEnum


class MenuKey(StrEnum):
    BIND = "BIND"
    PROFILE = "PROFILE"
    ALUMNI_SEARCH = "ALUMNI_SEARCH"
    REUNION_INFO = "REUNION_INFO"
    REUNION_MINE = "REUNION_MINE"
    EVENT_LIST = "EVENT_LIST"
    EVENT_MINE = "EVENT_MINE"
    CHAPTER_FIND = "CHAPTER_FIND"
    HELP = "HELP"
    NEWS = "NEWS"  # issue 24: the newest news and publications (handlers.publications.bot)
