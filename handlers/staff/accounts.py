"""Staff accounts: the rules for names, passwords and roles, and logging in under a lockout.

Used alike by `alumni-bot create-admin` and the admin page's accounts and login views, so a
password the shell refuses is refused on the page too. Operations flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.limits import Lockout
from handlers.staff.settings import AdminSettings
from models import Alumnus, Chapter, StaffAccount, StaffRole

PASSWORDS = PasswordHasher()  # argon2id with the library's current recommended cost
PASSWORD_MAX_LENGTH = 256     # hashing is deliberately slow: a megabyte "password" is an attack
USERNAME = re.compile(r"[\w.@-]{2,32}")  # \w takes Chinese too: 张老师 is a fine username


class AccountError(ValueError):
    """A refusal; str() is the Chinese sentence to show."""


def username_key(username: str) -> str:
    """What a login compares: full-width folded, case ignored (Admin and ａｄｍｉｎ are admin)."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def check_username(username: str) -> str:
    cleaned = unicodedata.normalize("NFKC", username).strip()
    if not USERNAME.fullmatch(cleaned):
        raise AccountError("用户名须为 2–32 个字符：汉字、字母、数字或 . _ - @，不含空格")
    return cleaned


def check_password(password: str, settings: AdminSettings) -> str:
    if len(password) < settings.password_min_length:
        raise AccountError(f"密码太短：至少 {settings.password_min_length} 个字符")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError(f"密码太长：最多 {PASSWORD_MAX_LENGTH} 个字符")
    if not password.strip():
        raise AccountError("密码不能全是空格")
    return password


@dataclass(frozen=True)
class Place:
    """Where a college or liaison account belongs; neither for admin and staff."""

    college: str | None = None
    chapter: Chapter | None = None


def check_place(session: Session, role: StaffRole, college: str | None,
                chapter_name: str | None) -> Place:
    """The college or chapter a role needs, found in the roster / the chapters, or refused."""
    college = (college or "").strip() or None
    chapter_name = (chapter_name or "").strip() or None
    if role in (StaffRole.ADMIN, StaffRole.STAFF):
        if college or chapter_name:
            raise AccountError(f"{role.label}可以看到全部数据，不需要指定学院或分会")
        return Place()
    if role is StaffRole.COLLEGE:
        if chapter_name:
            raise AccountError("学院联络人只属于一个学院，不需要指定分会")
        if not college:
            raise AccountError("学院联络人必须指定学院")
        if session.scalar(select(Alumnus.id).where(Alumnus.college == college).limit(1)) is None:
            raise AccountError(f"花名册里没有学院「{college}」：请按花名册中的写法填写")
        return Place(college=college)
    if college:
        raise AccountError("分会联络员只属于一个分会，不需要指定学院")
    if not chapter_name:
        raise AccountError("分会联络员必须指定分会")
    chapter = session.scalar(select(Chapter).where(Chapter.name == chapter_name))
    if chapter is None:
        raise AccountError(f"没有名为「{chapter_name}」的校友分会")
    return Place(chapter=chapter)


def find_account(session: Session, username: str) -> StaffAccount | None:
    return session.scalar(select(StaffAccount).where(
        StaffAccount.username_key == username_key(username)))


def create_account(session: Session, username: str, password: str, role: StaffRole, place: Place,
                   *, settings: AdminSettings, now: datetime) -> StaffAccount:
    name = check_username(username)
    if find_account(session, name) is not None:
        raise AccountError(f"用户名「{name}」已被使用")
    account = StaffAccount(username=name, username_key=username_key(name),
                           password_hash=PASSWORDS.hash(check_password(password, settings)),
                           role=role, active=True, created_at=now, password_changed_at=now)
    place_account(account, role, place)
    session.add(account)
    session.flush()
    return account


def place_account(account: StaffAccount, role: StaffRole, place: Place) -> None:
    account.role = role
    account.college = place.college
    account.chapter = place.chapter
    account.chapter_id = place.chapter.id if place.chapter else None


def set_password(account: StaffAccount, password: str, *, settings: AdminSettings,
                 now: datetime) -> None:
    """A new password; sessions logged in with the old one end (see `session_token`)."""
    account.password_hash = PASSWORDS.hash(check_password(password, settings))
    account.password_changed_at = now


def verify_password(account: StaffAccount | None, password: str) -> bool:
    """Whether `password` is the account's; as slow for no account, so timing tells nothing."""
    if len(password) > PASSWORD_MAX_LENGTH:
        return False
    try:
        PASSWORDS.verify(account.password_hash if account else _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    if account is None:
        return False
    if PASSWORDS.check_needs_rehash(account.password_hash):
        account.password_hash = PASSWORDS.hash(password)  # the library's cost went up since
    return True


@cache
def _decoy_hash() -> str:
    return PASSWORDS.hash("a password no account has")


def session_token(account: StaffAccount) -> str:
    """What a login session carries besides the id: it changes with the password, so a password
    change or reset ends every other session (Flask-Login's "alternative tokens"), and with each
    停用, so a session opened before it does not come back when the account is enabled again."""
    disabled = account.disabled_at.isoformat() if account.disabled_at else ""
    digest = hashlib.sha256(f"{account.password_hash}|{disabled}".encode()).hexdigest()[:16]
    return f"{account.id}:{digest}"


def set_active(account: StaffAccount, active: bool, *, now: datetime) -> None:
    """停用 or 启用. A disabled account cannot log in and its sessions end at their next request
    (the session loader checks `active`); the sessions it held stay ended after 启用."""
    if account.active and not active:
        account.disabled_at = now
    account.active = active


def login_lockout(store, settings: AdminSettings) -> Lockout:
    """Failures counted per username (existing or not: a lock says nothing about existence)."""
    return Lockout(store, f"{settings.key_prefix}login:",
                   failures_allowed=settings.login_failures_allowed,
                   window_seconds=settings.login_failure_window_seconds,
                   lockout_seconds=settings.login_lockout_seconds)


class LoginOutcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"          # no such user, or not their password: the same to the visitor
    LOCKED = "locked"
    DISABLED = "disabled"    # the right password of a disabled account


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    account: StaffAccount | None = None
    retry_after: int = 0
    checked: bool = True     # the password was compared (False: refused by the lock before that)


def authenticate(session: Session, limiter: Lockout, username: str, password: str, *,
                 now: datetime) -> LoginResult:
    """Check a login; the attempt is counted before the password is, so attempts made at once
    cannot all slip under the limit (handlers.limits.Lockout)."""
    key = username_key(username)
    attempt = limiter.attempt(key, now)
    if not attempt.allowed:
        return LoginResult(LoginOutcome.LOCKED, retry_after=attempt.retry_after, checked=False)
    account = find_account(session, username)
    if not verify_password(account, password):
        failure = limiter.failed(key, now)
        outcome = LoginOutcome.WRONG if failure.allowed else LoginOutcome.LOCKED
        return LoginResult(outcome, account, retry_after=failure.retry_after)
    limiter.succeeded(key)
    if not account.active:
        return LoginResult(LoginOutcome.DISABLED, account)
    account.last_login_at = now
    session.flush()
    return LoginResult(LoginOutcome.OK, account)
