"""A joined alumnus's personal pass (返校码): signed codes, issued per ReunionMember, checked at scanners.

A code is text, `RP1.<member id>.<visit day yyyymmdd>.<when>.<mac>`, where `mac` is HMAC-SHA256
over the other fields, base32, cut to 16 characters (80 bits), under a key derived from the app's
`secret_key` (`pass_key`): nobody without the server's secret can make one, and the key is
never the secret itself, so a leaked pass key does not sign sessions or API tokens. The signing
is handlers.signed_codes, shared with the events check-in code.

Two kinds, told apart by `when`:

- a minute code (`when` = minutes since the epoch) for the API: the mini-program shows it and
  refreshes it every minute. A scanner accepts the current and the previous minute only (a phone's
  clock a little behind, a code shown just before the minute turned), never a future one, so a
  screenshot or a code read aloud is worthless a minute later.
- a day code (`when` = `D`) for the bot's QR image. The bot can only send an image the alumnus
  keeps in the chat, and cannot redraw it every minute; a minute code in it would stop working in
  the queue at the gate. So the image carries a code valid the whole visit day and no other. What
  a copied day code could buy is bounded by the scanner: the gate records a member's arrival
  once (a second scan shows when the first was, with the name and class for the guard to check),
  and the canteen serves a member's meal once.

Both name the visit day, and a scanner refuses a code of another day with that day in the reason.
Whether the member may enter (revoked, booking not approved) is the scanner's question
(handlers.reunion.scanning), answered from the database at scan time, never from the code.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from handlers import signed_codes
from handlers.reunion import pass_texts as texts
from handlers.signed_codes import normalize

VERSION = "RP1"
DAY_KIND = "D"
MAC_CHARS = signed_codes.MAC_CHARS
MINUTE = signed_codes.MINUTE
GRACE_MINUTES = signed_codes.GRACE_MINUTES
minute_of = signed_codes.minute_of
MAX_MEMBER_ID = 2**31 - 1   # a 32-bit id column on PostgreSQL: a larger number names nobody
_SHAPE = re.compile(r"^RP1\.(\d{1,12})\.(\d{8})\.(\d{1,12}|D)\.([A-Z2-7]{16})$")


class Kind(StrEnum):
    MINUTE = "minute"   # the API's: changes every minute
    DAY = "day"         # the bot's QR image: the whole visit day


class Refusal(StrEnum):
    FORGED = "forged"           # not a code of ours: garbled, or signed with another key
    EXPIRED = "expired"         # an old minute code: a replay
    FUTURE = "future"           # a minute code from ahead of the server's clock
    OTHER_DAY = "other_day"     # a pass of another visit day


class PassRefused(Exception):
    def __init__(self, refusal: Refusal, text: str) -> None:
        super().__init__(text)
        self.refusal = refusal
        self.text = text


@dataclass(frozen=True)
class Claim:
    """What a code says once its signature checks: whose pass, for which day, of which kind."""

    member_id: int
    day: dt.date
    kind: Kind
    minute: int | None = None


@dataclass(frozen=True)
class IssuedPass:
    code: str
    kind: Kind
    day: dt.date
    expires_at: dt.datetime      # when a scanner stops accepting it
    refresh_at: dt.datetime      # when the next code is due (a minute code), or = expires_at


def pass_key(secret_key: str) -> bytes:
    """The signing key of passes, derived from the app's secret_key (one-way, purpose-bound)."""
    return signed_codes.derive_key(secret_key, b"alumni-bot/reunion-pass/v1")


def _mac(key: bytes, member_id: int, day: dt.date, when: str) -> str:
    return signed_codes.mac(key, VERSION, str(member_id), f"{day:%Y%m%d}", when)


def _code(key: bytes, member_id: int, day: dt.date, when: str) -> str:
    return f"{VERSION}.{member_id}.{day:%Y%m%d}.{when}.{_mac(key, member_id, day, when)}"


def issue_minute_code(key: bytes, member_id: int, day: dt.date, now: dt.datetime) -> IssuedPass:
    """The API's pass for this minute: scanners take it until the end of the next minute."""
    minute = minute_of(now)
    at = dt.datetime.fromtimestamp((minute + 1) * MINUTE, dt.UTC)
    return IssuedPass(_code(key, member_id, day, str(minute)), Kind.MINUTE, day,
                      expires_at=at + dt.timedelta(minutes=GRACE_MINUTES), refresh_at=at)


def issue_day_code(key: bytes, member_id: int, day: dt.date, zone: dt.tzinfo) -> IssuedPass:
    """The bot's pass: the whole visit day (local midnight to midnight)."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    return IssuedPass(_code(key, member_id, day, DAY_KIND), Kind.DAY, day, expires_at=end, refresh_at=end)


def read_code(key: bytes, code: str, now: dt.datetime, today: dt.date) -> Claim:
    """The claim of a genuine code usable now, or PassRefused with the reason in Chinese.

    `today` is the local date (the school's timezone) at `now`.
    """
    found = _SHAPE.match(normalize(code))
    if found is None:
        raise PassRefused(Refusal.FORGED, texts.FORGED)
    member_text, day_text, when, mac = found.groups()
    try:
        day = dt.datetime.strptime(day_text, "%Y%m%d").date()
    except ValueError:
        raise PassRefused(Refusal.FORGED, texts.FORGED) from None
    member_id = int(member_text)
    if member_id > MAX_MEMBER_ID:
        raise PassRefused(Refusal.FORGED, texts.FORGED)
    if not signed_codes.genuine(key, mac, VERSION, str(member_id), f"{day:%Y%m%d}", when):
        raise PassRefused(Refusal.FORGED, texts.FORGED)
    if day != today:
        raise PassRefused(Refusal.OTHER_DAY, texts.other_day(day, today))
    if when == DAY_KIND:
        return Claim(member_id, day, Kind.DAY)
    minute, current = int(when), minute_of(now)
    if minute > current:
        raise PassRefused(Refusal.FUTURE, texts.FUTURE)
    if minute < current - GRACE_MINUTES:
        raise PassRefused(Refusal.EXPIRED, texts.EXPIRED)
    return Claim(member_id, day, Kind.MINUTE, minute)
