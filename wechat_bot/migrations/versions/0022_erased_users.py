"""wechat user: erased_at, set when an alumnus deletes their account (注销); staff account:
disabled_at, the last 停用, part of the session token (issue 25)

Revision ID: 0022_erased_users
Revises: 0021
Create Date: 2026-12-07 15:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import models.base
from wechat_bot.migrate import drop_column_in_place

revision = '0022_erased_users'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('wechat_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', models.base.UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disabled_at', models.base.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    drop_column_in_place('staff_account', 'disabled_at')
    drop_column_in_place('wechat_user', 'erased_at')

