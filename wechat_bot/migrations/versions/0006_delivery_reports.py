"""delivery reports from WeChat

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 14:37:09.000000

What WeChat reports after a template message (TEMPLATESENDJOBFINISH) or a mass send
(MASSSENDJOBFINISH), on the delivery row; the index on msgid is how each report finds its row.
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('reported_at', models.base.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('report_counts', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_delivery_msgid'), ['msgid'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_msgid'))
        batch_op.drop_column('report_counts')
        batch_op.drop_column('reported_at')
        batch_op.drop_column('report')
