"""The demo's card site (`alumni-bot demo`): one gate with a key, printed once at the first start,
so a newcomer can check a card code with curl without opening the admin page. The chat page's
王磊 (handlers.directory.demo.DEMO_BOUND) is bound: his `校友卡` shows the card."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.card.sites import issue_site
from models import CardSite

DEMO_SITE = "演示闸机"
ACTOR = "demo"


def seed_demo_card_site(session: Session, *, now: dt.datetime, base_url: str) -> Iterator[str]:
    """A demo gate and its key, once (the key is shown only now, as on the admin page)."""
    if session.scalar(select(func.count()).select_from(CardSite)):
        return
    issued = issue_site(session, name=DEMO_SITE, kind="gate", actor=ACTOR, now=now)
    yield (f"演示数据：校友卡核验点「{DEMO_SITE}」的密钥 {issued.key}（只显示这一次；"
           f"用法：curl -H 'X-Site-Key: {issued.key}' -H 'Content-Type: application/json' "
           f"-d '{{\"code\": \"…\"}}' {base_url}/api/v1/cards/verify）")
