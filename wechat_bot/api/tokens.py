"""Login state for the mini-program: signed, expiring, revocable bearer tokens.

A token is `{user id, token id}` signed with the app's secret key (itsdangerous), so a forged or
altered token is refused without a Redis round trip; the token id is stored in Redis with the
token's lifetime, so a token can be revoked (logout, unbind) before it expires and every worker
agrees at once. WeChat's session_key is kept beside it in Redis and never leaves the server.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import g
from itsdangerous import BadSignature, URLSafeTimedSerializer

from wechat_bot.api.errors import unauthorized

TOKEN_SECONDS = 24 * 3600
SALT = "alumni-bot.api.token"


@dataclass(frozen=True)
class Identity:
    user_id: int
    token_id: str


@dataclass(frozen=True)
class Issued:
    token: str
    expires_in: int
    identity: Identity


class TokenService:
    def __init__(self, secret_key: str, store, keys, ttl_seconds: int = TOKEN_SECONDS) -> None:
        self._signer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self._store = store
        self._keys = keys
        self.ttl_seconds = ttl_seconds

    def _token_key(self, token_id: str) -> str:
        return self._keys("api", "token", token_id)

    def _user_key(self, user_id: int) -> str:
        return self._keys("api", "user-tokens", str(user_id))

    def _session_key_key(self, user_id: int) -> str:
        return self._keys("api", "session-key", str(user_id))

    def issue(self, user_id: int, session_key: str | None = None) -> Issued:
        """A new token for `user_id`; WeChat's session_key for them is kept server-side."""
        token_id = secrets.token_urlsafe(16)
        with self._store.pipeline(transaction=False) as pipe:
            pipe.set(self._token_key(token_id), str(user_id), ex=self.ttl_seconds)
            pipe.sadd(self._user_key(user_id), token_id)
            pipe.expire(self._user_key(user_id), self.ttl_seconds)
            if session_key:
                pipe.set(self._session_key_key(user_id), session_key, ex=self.ttl_seconds)
            pipe.execute()
        token = self._signer.dumps({"u": user_id, "t": token_id})
        return Issued(token, self.ttl_seconds, Identity(user_id, token_id))

    def verify(self, token: str) -> Identity | None:
        """The identity a token carries, or None: forged, expired, malformed or revoked."""
        try:
            data = self._signer.loads(token, max_age=self.ttl_seconds)
        except BadSignature:  # SignatureExpired is one too
            return None
        if not isinstance(data, dict):
            return None
        user_id, token_id = data.get("u"), data.get("t")
        if not isinstance(user_id, int) or isinstance(user_id, bool) or not isinstance(token_id, str):
            return None
        if self._store.get(self._token_key(token_id)) != str(user_id):
            return None
        return Identity(user_id, token_id)

    def revoke(self, identity: Identity) -> None:
        with self._store.pipeline(transaction=False) as pipe:
            pipe.delete(self._token_key(identity.token_id))
            pipe.srem(self._user_key(identity.user_id), identity.token_id)
            pipe.execute()

    def revoke_all(self, user_id: int, *, keep: Identity | None = None) -> int:
        """Revoke every token of `user_id` (but `keep`); answers how many were revoked."""
        token_ids = [t for t in self._store.smembers(self._user_key(user_id))
                     if keep is None or t != keep.token_id]
        if not token_ids:
            return 0
        with self._store.pipeline(transaction=False) as pipe:
            pipe.delete(*[self._token_key(t) for t in token_ids])
            pipe.srem(self._user_key(user_id), *token_ids)
            if keep is None:
                pipe.delete(self._session_key_key(user_id))
            pipe.execute()
        return len(token_ids)

    def session_key(self, user_id: int) -> str | None:
        """WeChat's session_key from the user's last login (for decrypting wx data later)."""
        return self._store.get(self._session_key_key(user_id))


def bearer_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate(request) -> Identity:
    """The caller's identity, kept in `g` for the view; ApiError 401 without a valid token."""
    from wechat_bot.api.context import token_service

    token = bearer_token(request)
    if token is None:
        raise unauthorized("请先登录（缺少 Authorization: Bearer 令牌）。")
    identity = token_service().verify(token)
    if identity is None:
        raise unauthorized("登录已失效，请重新登录。", code="invalid_token")
    g.api_identity = identity
    return identity


def current_identity() -> Identity:
    return g.api_identity
