"""Helpers of the card's tests: a bound holder, a site with its key, the card key of a runtime."""

from __future__ import annotations

import datetime as dt

from handlers.card.codes import card_key
from handlers.card.sites import issue_site
from handlers.reunion.passes import pass_key
from tests.reunion.support import add_classmate

NOW = dt.datetime(2026, 12, 7, 6, 30, 15, tzinfo=dt.UTC)


def key_of(runtime) -> bytes:
    return card_key(pass_key(runtime.config.app.secret_key))


def add_holder(runtime, openid: str = "o-card-holder", student_id: str = "2016010101",
               name: str = "李雷", **fields) -> int:
    """A bound alumnus (本科 2016, 计算机学院, with a phone and an e-mail): their user id."""
    with runtime.sessions.begin() as session:
        record = add_classmate(session, openid, student_id, name, phone="13812345678",
                               email="lilei@example.com", **fields)
        return record.wechat_user_id


def add_site(runtime, name: str = "东门闸机", kind: str = "gate") -> str:
    """A site: its key."""
    with runtime.sessions.begin() as session:
        return issue_site(session, name=name, kind=kind, actor="boss", now=NOW).key
