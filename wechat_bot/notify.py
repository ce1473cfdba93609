"""How a feature tells particular people something: a notification through the push outbox.

Features below this floor cannot import the outbox's caller-facing wiring, so each door (the
webhook's dispatcher, the API) hands this function in as the feature's `notify`
(handlers.notices.Notify). The feature names who caused the push (`created_by`), as staff see it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session


def notify_users(session: Session, user_ids: list[int], text: str, at: datetime, *,
                 created_by: str) -> None:
    """Queue `text` to those WeChat users, in the caller's transaction (it commits with it)."""
    from scheduler.outbox import queue_push

    queue_push(session, text=text, audience="users:" + ",".join(str(i) for i in user_ids),
               kind="notification", created_by=created_by, now=at)
