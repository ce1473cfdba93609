"""Campus sites that check alumni cards (校友卡核验点): a gate, the library, a canteen.

Each holds one key, issued by staff on the admin page and shown once: only its SHA-256 is kept
(the key is 192 random bits, so a fast hash is as good as a slow one). Revoking a site stops its
key at once; a revoked site stays, for the audit log's sake.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class CardSite(Base):
    __tablename__ = "card_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # 东门闸机, 图书馆, 一食堂
    kind: Mapped[str] = mapped_column(String(16))               # gate / library / canteen / other
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the key
    key_hint: Mapped[str] = mapped_column(String(16))           # the key's last characters
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    last_used_at: Mapped[datetime | None]
    checks: Mapped[int] = mapped_column(default=0)
