"""Signed codes people show at a door: HMAC-SHA256 over a code's fields, shared by every feature.

A feature's code is text whose fields are joined with "." and end with a MAC: HMAC-SHA256 over
the fields joined with "|", base32, cut to `MAC_CHARS` characters (80 bits), under a key derived
from the app's `secret_key` for that purpose alone (`derive_key`), or from such a key for a
narrower purpose (`subkey`). Nobody without the server's secret can make a code, and a code of
one feature never passes for another's (the keys differ).

Used by the reunion pass (handlers.reunion.passes), the events check-in code
(handlers.events.checkin) and the alumni card (handlers.card.codes). What a genuine code admits is each feature's question, answered from
the database at scan time.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import re

import segno

MAC_CHARS = 16
MINUTE = 60
# A minute code passes in its own minute and the next: clocks differ and people are slow to
# show a phone. The reunion pass and the alumni card keep this one rule.
GRACE_MINUTES = 1


def minute_of(now: dt.datetime) -> int:
    """The minute a minute code is signed for: whole minutes since the epoch."""
    return int(now.timestamp()) // MINUTE


def derive_key(secret_key: str, purpose: bytes) -> bytes:
    """A signing key for one purpose, derived one-way from the app's secret_key."""
    if not secret_key:
        raise ValueError("secret_key is empty")
    return hmac.new(secret_key.encode(), purpose, hashlib.sha256).digest()


def subkey(key: bytes, purpose: bytes) -> bytes:
    """A key for a narrower purpose derived one-way from a derived key."""
    if not key:
        raise ValueError("no key")
    return hmac.new(key, purpose, hashlib.sha256).digest()


def mac(key: bytes, *fields: str) -> str:
    """The MAC of `fields`: base32 of HMAC-SHA256 over them joined with "|", `MAC_CHARS` long."""
    if not key:
        raise ValueError("no signing key")
    digest = hmac.new(key, "|".join(fields).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:MAC_CHARS]


def sign(key: bytes, *fields: str) -> str:
    """The code: the fields and their MAC joined with "."."""
    return ".".join((*fields, mac(key, *fields)))


def genuine(key: bytes, given_mac: str, *fields: str) -> bool:
    """Whether `given_mac` is the MAC of `fields` (compared in constant time)."""
    return hmac.compare_digest(given_mac, mac(key, *fields))


def normalize(code: str) -> str:
    """A typed code as staff may type it: any case, spaces, a full stop from a Chinese keyboard."""
    return re.sub(r"\s+", "", code or "").replace("。", ".").upper()


def qr_png(code: str) -> bytes:
    """The code as a QR image (PNG) for the bot to send and a scanner's camera to read."""
    out = io.BytesIO()
    segno.make(code, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()
