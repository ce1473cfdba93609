"""late replies through the outbox: a customer-service message that is not plain text

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 10:00:00.000000

The answer after the webhook's holding reply is a push of its own; `push.custom_message` keeps
a news article or an image as the customer-service message carries it.
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('push', schema=None) as batch_op:
        batch_op.add_column(sa.Column('custom_message', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('push', schema=None) as batch_op:
        batch_op.drop_column('custom_message')
