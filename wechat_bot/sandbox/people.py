"""The simulated alumni: WeChat identities the sandbox hands out and recognises.

Each simulated person has an official-account openid, a mini-program openid and one unionid that
links the two, as WeChat's open platform does for accounts bound to one developer. Openids are
derived from the app id and a running number, so a demo restarted on the same database meets the
same people again. An openid the sandbox never handed out is `40003 invalid openid`, as it is for
the real API.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict, dataclass

from wechat_bot.config import Config
from wechat_bot.sandbox.state import SandboxStore

DEFAULT_NICKNAMES = ("张伟", "李静", "王磊")


def _derived_id(*parts: str) -> str:
    digest = hashlib.sha256(":".join(parts).encode("utf-8")).digest()
    return "o" + base64.urlsafe_b64encode(digest).decode("ascii")[:27]


@dataclass
class Person:
    openid: str
    mp_openid: str
    unionid: str
    nickname: str
    number: int
    subscribed: bool = False
    subscribe_time: int = 0
    subscribe_scene: str = ""
    qr_scene_str: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


class People:
    def __init__(self, store: SandboxStore, config: Config) -> None:
        self._store = store
        self._app_id = config.wechat.app_id
        self._mp_app_id = config.miniprogram.app_id

    def _person_key(self, openid: str) -> str:
        return self._store.key("person", openid)

    def _ensure_seeded(self) -> None:
        # SET NX: with several workers exactly one seeds the default alumni.
        if self._store.redis.set(self._store.key("people-seeded"), "1", nx=True):
            for nickname in DEFAULT_NICKNAMES:
                self.add(nickname)

    def add(self, nickname: str, *, listed: bool = True) -> Person:
        """A new simulated person; `listed=False` keeps them off the chat page's list (the demo's
        crowd of chapter members: WeChat knows them, nobody plays them)."""
        number = self._store.next_id("person")
        person = Person(
            openid=_derived_id("oa", self._app_id, str(number)),
            mp_openid=_derived_id("mp", self._mp_app_id, str(number)),
            unionid=_derived_id("union", self._app_id, str(number)),
            nickname=nickname.strip()[:20] or f"校友{number}",
            number=number,
        )
        redis = self._store.redis
        with redis.pipeline() as pipe:
            pipe.hset(self._person_key(person.openid), mapping=_to_hash(person))
            pipe.set(self._store.key("mp-openid", person.mp_openid), person.openid)
            if listed:
                pipe.zadd(self._store.key("people"), {person.openid: number})
            pipe.execute()
        return person

    def all(self) -> list[Person]:
        self._ensure_seeded()
        openids = self._store.redis.zrange(self._store.key("people"), 0, -1)
        return [p for p in (self.get(o) for o in openids) if p is not None]

    def get(self, openid: str | None) -> Person | None:
        if not openid or not isinstance(openid, str):
            return None
        fields = self._store.redis.hgetall(self._person_key(openid))
        return _from_hash(fields) if fields else None

    def by_mp_openid(self, mp_openid: str | None) -> Person | None:
        if not mp_openid or not isinstance(mp_openid, str):
            return None
        return self.get(self._store.redis.get(self._store.key("mp-openid", mp_openid)))

    def followers(self) -> list[Person]:
        return [p for p in self.all() if p.subscribed]

    def follow(self, openid: str, scene: str = "") -> None:
        """The person tapped 关注 (or scanned a parametric code while not following)."""
        self._store.redis.hset(
            self._person_key(openid),
            mapping={
                "subscribed": "1",
                "subscribe_time": str(int(self._store.now())),
                "subscribe_scene": "ADD_SCENE_QR_CODE" if scene else "ADD_SCENE_SEARCH",
                "qr_scene_str": scene,
            },
        )

    def unfollow(self, openid: str) -> None:
        self._store.redis.hset(self._person_key(openid), "subscribed", "0")


def _to_hash(person: Person) -> dict[str, str]:
    return {k: str(int(v)) if isinstance(v, bool) else str(v) for k, v in person.as_dict().items()}


def _from_hash(fields: dict[str, str]) -> Person:
    return Person(
        openid=fields["openid"],
        mp_openid=fields["mp_openid"],
        unionid=fields["unionid"],
        nickname=fields.get("nickname", ""),
        number=int(fields.get("number", 0)),
        subscribed=fields.get("subscribed") == "1",
        subscribe_time=int(fields.get("subscribe_time") or 0),
        subscribe_scene=fields.get("subscribe_scene", ""),
        qr_scene_str=fields.get("qr_scene_str", ""),
    )
