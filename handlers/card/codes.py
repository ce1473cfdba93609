"""The card code a campus site scans: `AC1.<wechat user id>.<minute>.<mac>.<tag>`, every minute anew.

`mac` is handlers.signed_codes' HMAC (80 bits, base32) under a key derived for the card alone
(`card_key`), over the version, the user and the minute: only the server makes one. `tag` (40
bits) is the same HMAC over those and the holder's bindings as the database holds them (each bound
record's id and `bound_at`, to the microsecond). The bindings are not in the code: the verifier
recomputes them from the database. So an unbind, a record unbound by staff, or a rebinding (a new
`bound_at`) voids every code already shown, at once, with no list of revoked codes to keep; and the
answer can tell a genuine code whose bindings are gone (revoked) from a forged one (invalid).

A code passes during its own minute and the next (`signed_codes.GRACE_MINUTES`, the reunion pass's rule too: a
phone's clock a little behind, a code shown as the minute turns), never before its minute, so a
screenshot passed on is worthless two minutes later. Within that window a code may be checked
again (a guard rescanning, the library after the gate); whether it was checked before is reported
(`first_use` in handlers.card.verify), for a turnstile that wants to admit a code once.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from handlers import signed_codes
from handlers.signed_codes import GRACE_MINUTES, MINUTE, minute_of, normalize

VERSION = "AC1"
MAX_USER_ID = 2**31 - 1
TAG_CHARS = 8
_SHAPE = re.compile(r"^AC1\.(\d{1,12})\.(\d{1,12})\.([A-Z2-7]{16})\.([A-Z2-7]{8})$")


class Refusal(StrEnum):
    MALFORMED = "malformed"  # not a card code at all
    INVALID = "invalid"      # forged, or another install's
    EXPIRED = "expired"      # an old minute: a replayed screenshot
    FUTURE = "future"        # a minute ahead of the server's clock
    REVOKED = "revoked"      # genuine, but the bindings it was made for are gone (unbound)


@dataclass(frozen=True)
class IssuedCode:
    code: str
    refresh_at: dt.datetime  # when the next code is due
    expires_at: dt.datetime  # when a site stops accepting this one


@dataclass(frozen=True)
class Claim:
    """What a well-formed code names, before its MAC and tag are checked."""

    user_id: int
    minute: int
    mac: str
    tag: str


def card_key(pass_key: bytes) -> bytes:
    """The card codes' key: derived one-way from the door's signing key (ctx.pass_key, or
    handlers.reunion.passes.pass_key of the app's secret_key), for this purpose alone."""
    return signed_codes.subkey(pass_key, b"alumni-bot/alumni-card/v1")


def binding_stamp(bindings: Iterable[tuple[int, dt.datetime]]) -> str:
    """The holder's bindings as the MAC covers them: (record id, bound_at) in record order."""
    return ";".join(f"{record_id}@{int(at.timestamp() * 1_000_000)}"
                    for record_id, at in sorted(bindings))


def _tag(key: bytes, user_id: int, minute: int, stamp: str) -> str:
    return signed_codes.mac(key, VERSION, str(user_id), str(minute), stamp)[:TAG_CHARS]


def issue_code(key: bytes, user_id: int, stamp: str, now: dt.datetime) -> IssuedCode:
    """The code for this minute of the holder whose bindings are `stamp`."""
    minute = minute_of(now)
    refresh = dt.datetime.fromtimestamp((minute + 1) * MINUTE, dt.UTC)
    signed = signed_codes.sign(key, VERSION, str(user_id), str(minute))
    code = f"{signed}.{_tag(key, user_id, minute, stamp)}"
    return IssuedCode(code, refresh_at=refresh,
                      expires_at=refresh + dt.timedelta(minutes=GRACE_MINUTES))


def parse_code(code: str) -> Claim | None:
    """What a card code names, or None when it is not shaped like one."""
    found = _SHAPE.match(normalize(code))
    if found is None or int(found.group(1)) > MAX_USER_ID:
        return None
    return Claim(int(found.group(1)), int(found.group(2)), found.group(3), found.group(4))


def timing_refusal(claim: Claim, now: dt.datetime) -> Refusal | None:
    """Whether the code's minute is usable now."""
    current = minute_of(now)
    if claim.minute > current:
        return Refusal.FUTURE
    if claim.minute < current - GRACE_MINUTES:
        return Refusal.EXPIRED
    return None


def genuine(key: bytes, claim: Claim) -> bool:
    """Whether we made this code (constant-time compare)."""
    return signed_codes.genuine(key, claim.mac, VERSION, str(claim.user_id), str(claim.minute))


def still_bound(key: bytes, claim: Claim, stamp: str) -> bool:
    """Whether the code was made for these very bindings."""
    return hmac.compare_digest(claim.tag, _tag(key, claim.user_id, claim.minute, stamp))


def expires_at(claim: Claim) -> dt.datetime:
    return dt.datetime.fromtimestamp((claim.minute + 1 + GRACE_MINUTES) * MINUTE, dt.UTC)
