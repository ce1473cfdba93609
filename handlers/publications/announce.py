"""Announcing a new item to its category's subscribers (推送给订阅者), once per item.

The push goes to every follower who subscribed to the item's category (an opt-in consent
category, handlers.consent.categories): the outbox's `all` audience with that category keeps only
them (handlers.consent.preferences.not_opted_out). It carries the item as one news card (a
customer-service news message holds one article) and its text for channels that cannot. The admin
route queues it through the outbox; this module says what it says and takes the item's one turn:
a guarded UPDATE (`announced_at` still empty), so a double click or two staff at once queue one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from handlers.publications import texts
from handlers.publications.categories import consent_key
from handlers.publications.library import news_article
from models.publication import Publication

AUDIENCE = "all"  # with the category: its subscribers only


def refusal(row: Publication) -> str | None:
    """Why this item cannot be announced (Chinese, for staff), or None."""
    if row.hidden:
        return "已隐藏的条目不能推送"
    if row.announced_at is not None:
        return "这一条已经推送过订阅者，每条只推送一次"
    return None


def take_turn(session: Session, row: Publication, *, by: str, now: datetime) -> bool:
    """Mark the item announced; False when it already was (by another request, too)."""
    taken = session.execute(
        update(Publication)
        .where(Publication.id == row.id, Publication.announced_at.is_(None),
               Publication.hidden.is_(False))
        .values(announced_at=now, announced_by=by)
        .execution_options(synchronize_session=False)).rowcount
    session.refresh(row)
    return bool(taken)


def category_of(row: Publication) -> str:
    return consent_key(row.category)


def announcement_text(row: Publication) -> str:
    summary = f"{row.summary.strip()}\n" if row.summary and row.summary.strip() else ""
    return texts.ANNOUNCE.format(category=row.category, title=row.title, summary=summary,
                                 url=row.url)


def announcement_card(row: Publication) -> dict[str, Any]:
    """The customer-service news message: the item as one card."""
    return {"msgtype": "news", "news": {"articles": [news_article(row)]}}
