"""The 我的数据 download link: a signed, short-lived, single-person token in a URL, so the full JSON
opens in any browser (a chat reply cannot carry a file, and the link must work without the
mini-program).

The token is `<user id>.<expiry, epoch seconds>.<MAC>`, the MAC under a key derived from the app's
secret_key for this purpose alone (handlers.signed_codes), so nobody can make or stretch one, and a
link of one person never opens another's data. Whoever holds the link within its minutes can read
the export: the bot says so, and says how long it is valid.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from handlers import signed_codes

PATH = "/my-data/"


def export_key(secret_key: str) -> bytes:
    return signed_codes.derive_key(secret_key, b"alumni-bot/privacy-export/v1")


def export_token(key: bytes, user_id: int, now: dt.datetime, minutes: int) -> str:
    expires = int(now.timestamp()) + minutes * 60
    return signed_codes.sign(key, str(user_id), str(expires))


class LinkProblem(StrEnum):
    BAD = "bad"          # not a token of ours (cut short, altered, made up)
    EXPIRED = "expired"  # genuine, but its minutes are over


def read_export_token(key: bytes, token: str, now: dt.datetime) -> int | LinkProblem:
    """The user id a genuine, unexpired token names, else what is wrong with it."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return LinkProblem.BAD
    user_id, expires, given = parts
    if not signed_codes.genuine(key, given.upper(), user_id, expires):
        return LinkProblem.BAD
    if now.timestamp() >= int(expires):
        return LinkProblem.EXPIRED
    return int(user_id)
