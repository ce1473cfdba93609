"""Mini-program login codes, as `wx.login()` hands them out and `jscode2session` takes them back.

A code is valid for five minutes and only once (PROTOCOL.md section 9): the first exchange marks it
used with HSETNX, so two exchanges racing on two workers cannot both succeed; the loser hears 40163.
"""

from __future__ import annotations

import base64
import os
import secrets

from wechat_bot.sandbox.errors import ApiError
from wechat_bot.sandbox.people import Person
from wechat_bot.sandbox.state import SandboxStore

CODE_SECONDS = 300
REMEMBER_SECONDS = 3600  # a used or expired code is remembered a while, to answer 40163 / 40029


class Logins:
    def __init__(self, store: SandboxStore) -> None:
        self._store = store

    def _key(self, code: str) -> str:
        return self._store.key("login-code", code)

    def issue(self, person: Person) -> str:
        """What wx.login() gives the simulated person's mini-program."""
        code = secrets.token_hex(16)  # real codes are 32 characters too
        key = self._key(code)
        with self._store.redis.pipeline() as pipe:
            pipe.hset(key, mapping={"openid": person.openid, "issued_at": repr(self._store.now())})
            pipe.expire(key, REMEMBER_SECONDS)
            pipe.execute()
        return code

    def redeem(self, code) -> str:
        """The official-account openid of the person whose code this is, spending the code."""
        if not isinstance(code, str) or not code:
            raise ApiError(40029)
        key = self._key(code)
        issued_at = self._store.redis.hget(key, "issued_at")
        if issued_at is None or self._store.now() - float(issued_at) > CODE_SECONDS:
            raise ApiError(40029)
        if not self._store.redis.hsetnx(key, "used", "1"):
            raise ApiError(40163)
        return self._store.redis.hget(key, "openid")


def new_session_key() -> str:
    return base64.b64encode(os.urandom(16)).decode("ascii")
