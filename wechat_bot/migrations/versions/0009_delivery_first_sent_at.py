"""the first try with a template's client_msg_id

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:00:00.000000

WeChat dedups a template message's client_msg_id for 10 minutes only: `delivery.first_sent_at`
records when the first call with the row's key was made, so a resend stays inside that window.
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_sent_at', models.base.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_column('first_sent_at')
