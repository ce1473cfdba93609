"""when a follower's unionid was asked for

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 22:00:00.000000

The scheduler asks WeChat (user/info/batchget) for the unionid of each follower whose
unionid_checked_at is empty, so the follower and the mini-program user become one person.
Existing followers start empty: the first runs after the upgrade ask about them all.
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wechat_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unionid_checked_at", models.base.UtcDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wechat_user", schema=None) as batch_op:
        batch_op.drop_column("unionid_checked_at")
