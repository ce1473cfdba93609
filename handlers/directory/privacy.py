"""What an alumnus decides about themself: who may find them, and their current city, employer,
industry. Both apply to every record the user holds, since they are one person. These columns are
the alumnus's own; no roster import writes them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from handlers.directory.binding import NotBound, bound_records
from models import Alumnus, Privacy, WechatUser

# What alumni type (Chinese first, then English aliases) -> the level.
PRIVACY_WORDS: dict[str, Privacy] = {
    "公开": Privacy.PUBLIC, "public": Privacy.PUBLIC,
    "同学": Privacy.CLASSMATES, "classmates": Privacy.CLASSMATES, "classmate": Privacy.CLASSMATES,
    "隐藏": Privacy.HIDDEN, "hidden": Privacy.HIDDEN, "hide": Privacy.HIDDEN,
}

# field -> the alumnus's own column, its length in the model, its name for the alumnus.
PROFILE_FIELDS = {"city": ("profile_city", 64, "所在城市"), "employer": ("profile_employer", 128, "工作单位"),
                  "industry": ("profile_industry", 64, "行业")}
UNCHANGED = object()


class ProfileError(ValueError):
    """A profile value that cannot be stored; str() is a Chinese sentence for the alumnus."""


def parse_privacy(word: str) -> Privacy | None:
    word = (word or "").strip().lower()
    if word in PRIVACY_WORDS:
        return PRIVACY_WORDS[word]
    try:
        return Privacy(word)
    except ValueError:
        return None


def current_privacy(records: list[Alumnus]) -> Privacy:
    """The user's level; should their records ever differ, the most open one is what others see."""
    levels = {Privacy(r.privacy or Privacy.CLASSMATES) for r in records}
    for level in (Privacy.PUBLIC, Privacy.CLASSMATES, Privacy.HIDDEN):
        if level in levels:
            return level
    return Privacy.CLASSMATES


def set_privacy(session: Session, user: WechatUser, level: Privacy | str) -> list[Alumnus]:
    """Set `level` on every record bound to `user`; raises NotBound if there is none."""
    level = Privacy(level)
    records = _required(session, user)
    for record in records:
        record.privacy = level
    session.flush()
    return records


def update_profile(session: Session, user: WechatUser, *, city=UNCHANGED, employer=UNCHANGED,
                   industry=UNCHANGED) -> list[Alumnus]:
    """Change what is given (None or "" clears it back to the roster's value), on every record."""
    changes = {}
    for field, value in (("city", city), ("employer", employer), ("industry", industry)):
        if value is UNCHANGED:
            continue
        column, length, label = PROFILE_FIELDS[field]
        cleaned = " ".join(str(value).split()) if value is not None else ""
        if len(cleaned) > length:
            raise ProfileError(f"{label}太长了，请不超过 {length} 个字。")
        changes[column] = cleaned or None
    records = _required(session, user)
    for record in records:
        for column, value in changes.items():
            setattr(record, column, value)
    session.flush()
    return records


def _required(session: Session, user: WechatUser) -> list[Alumnus]:
    records = bound_records(session, user)
    if not records:
        raise NotBound()
    return records
