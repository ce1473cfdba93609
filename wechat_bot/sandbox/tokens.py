"""Access tokens as WeChat issues them (PROTOCOL.md section 5).

`cgi-bin/token` issues a new token on every fetch and retires the previous one, which keeps working
for five more minutes. `cgi-bin/stable_token` keeps handing out the same token until five minutes
before it expires (then a new one, the old one living out its time); `force_refresh` issues a new
one and kills the old at once. Records outlive their expiry by a day, so a caller holding an old
token hears 42001 (expired) rather than 40014 (never heard of it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from wechat_bot.sandbox.errors import ApiError
from wechat_bot.sandbox.state import SandboxStore

LIFETIME_SECONDS = 7200
GRACE_SECONDS = 300  # how long a replaced token still works, and when stable_token renews
REMEMBER_SECONDS = LIFETIME_SECONDS + 86400


@dataclass(frozen=True)
class Issued:
    access_token: str
    expires_in: int

    def body(self) -> dict:
        return {"access_token": self.access_token, "expires_in": self.expires_in}


class Tokens:
    def __init__(self, store: SandboxStore) -> None:
        self._store = store

    def _record(self, token: str) -> str:
        return self._store.key("token", token)

    def _new(self, app_id: str) -> Issued:
        token = secrets.token_urlsafe(96)  # real tokens are opaque strings of about 130 characters
        self._store.set_json(
            self._record(token),
            {"app_id": app_id, "expires_at": self._store.now() + LIFETIME_SECONDS},
            REMEMBER_SECONDS,
        )
        return Issued(token, LIFETIME_SECONDS)

    def _cut_short(self, token: str | None, at: float) -> None:
        record = self._store.get_json(self._record(token)) if token else None
        if record and record["expires_at"] > at:
            record["expires_at"] = at
            self._store.set_json(self._record(token), record, REMEMBER_SECONDS)

    def fetch(self, app_id: str) -> Issued:
        """cgi-bin/token: always a new token; the previous one works five more minutes."""
        pointer = self._store.key("token-current", app_id)
        issued = self._new(app_id)
        previous = self._store.redis.getset(pointer, issued.access_token)
        self._cut_short(previous, self._store.now() + GRACE_SECONDS)
        return issued

    def fetch_stable(self, app_id: str, force_refresh: bool) -> Issued:
        """cgi-bin/stable_token: the same token while it has more than five minutes left."""
        pointer = self._store.key("stable-current", app_id)
        current = self._store.redis.get(pointer)
        record = self._store.get_json(self._record(current)) if current else None
        now = self._store.now()
        if record and not force_refresh and record["expires_at"] - now > GRACE_SECONDS:
            return Issued(current, int(record["expires_at"] - now))
        issued = self._new(app_id)
        self._store.redis.set(pointer, issued.access_token)
        if force_refresh:
            self._cut_short(current, now)
        return issued

    def app_of(self, token: str | None) -> str:
        """The app id a token was issued to, or 40014 (missing or unknown) / 42001 (expired)."""
        record = self._store.get_json(self._record(token)) if token else None
        if record is None:
            raise ApiError(40014)
        if record["expires_at"] <= self._store.now():
            raise ApiError(42001)
        return record["app_id"]
