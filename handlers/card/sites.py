"""Site keys (核验点密钥): what lets a campus gate, library or canteen check alumni cards.

A key is `acs_` and 192 random bits; staff issue it on the admin page, see it once, and give it to
the site's device. Only its SHA-256 is stored, with its last four characters to tell keys apart.
A key does one thing, POST /api/v1/cards/verify: it is no bearer token of the API (those are
signed by the token service and refused there), and an alumnus's token is no site key. Revoking a
site stops its key at the next request. Operations flush, the boundary commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import CardSite

PREFIX = "acs_"
KINDS = {"gate": "校门/门禁", "library": "图书馆", "canteen": "食堂", "other": "其他"}
NAME_MAX = 64
MAX_KEY = 128  # anything longer is not one of ours: refused before hashing


class SiteRefused(ValueError):
    """A site cannot be issued as asked; str() says why, in Chinese for staff."""


@dataclass(frozen=True)
class IssuedKey:
    site: CardSite
    key: str  # shown to staff once, never stored


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_site(session: Session, *, name: str, kind: str, actor: str, now: datetime) -> IssuedKey:
    """A new site with a new key."""
    name = " ".join((name or "").split())
    if not name:
        raise SiteRefused("请填写核验点名称，例如「东门闸机」")
    if len(name) > NAME_MAX:
        raise SiteRefused(f"核验点名称最多 {NAME_MAX} 个字")
    if kind not in KINDS:
        raise SiteRefused("请选择核验点类型")
    if session.scalar(select(CardSite.id).where(CardSite.name == name)) is not None:
        raise SiteRefused(f"已有名为「{name}」的核验点，请换一个名称（或停用旧的再签发）")
    key = PREFIX + secrets.token_urlsafe(24)
    site = CardSite(name=name, kind=kind, key_hash=key_hash(key), key_hint=key[-4:],
                    created_by=actor[:64], created_at=now, checks=0)
    session.add(site)
    session.flush()
    return IssuedKey(site, key)


def revoke_site(session: Session, site: CardSite, *, actor: str, now: datetime) -> bool:
    """Stop the site's key; False when it was stopped already."""
    if site.revoked_at is not None:
        return False
    site.revoked_at, site.revoked_by = now, actor[:64]
    session.flush()
    return True


def site_for_key(session: Session, key: str | None) -> CardSite | None:
    """The active site whose key this is, or None (unknown, revoked, or not a site key)."""
    if not key or not key.startswith(PREFIX) or len(key) > MAX_KEY:
        return None
    wanted = key_hash(key)
    site = session.scalar(select(CardSite).where(CardSite.key_hash == wanted))
    if site is None or not hmac.compare_digest(site.key_hash, wanted) or site.revoked_at is not None:
        return None
    return site


def count_check(session: Session, site: CardSite, now: datetime) -> None:
    """One more check by `site` (one UPDATE: concurrent checks are all counted)."""
    session.execute(update(CardSite).where(CardSite.id == site.id)
                    .values(checks=CardSite.checks + 1, last_used_at=now)
                    .execution_options(synchronize_session=False))


def all_sites(session: Session) -> list[CardSite]:
    """Active sites first, then by name."""
    return list(session.scalars(select(CardSite).order_by(CardSite.revoked_at.is_not(None),
                                                          CardSite.name)))
