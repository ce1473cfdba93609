"""push: the request that queued it (issue 25, observability)

Revision ID: 0023_push_request_id
Revises: 0022_erased_users
Create Date: 2026-12-07 14:45:00.000000

A push queued while a web request runs (a late answer, a notice a handler sends, a staff
broadcast) keeps that request's id, so delivery's log lines, in another process and maybe hours
later, name the request that caused them. Nullable: a job's pushes have none. Additive.
"""
import sqlalchemy as sa
from alembic import op

from wechat_bot.migrate import drop_column_in_place

revision = '0023_push_request_id'
down_revision = '0022_erased_users'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('push', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    drop_column_in_place('push', 'request_id')
