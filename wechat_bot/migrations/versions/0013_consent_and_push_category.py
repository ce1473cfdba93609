"""consent: push categories and opt-outs; a staff account's test recipient

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00.000000

Issue 20 items 6 and 7: `push.category` (the consent category a broadcast honours; NULL for the
notices that always go), `push_opt_out` (one row per user and category they changed, with when
and through which door), and `staff_account.test_openid` (where the composer's test goes).
Revises 0011: 0012 is another branch's, and the chain is fixed where they meet.
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('push_opt_out',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wechat_user_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('changed_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['wechat_user_id'], ['wechat_user.id'],
                            name=op.f('fk_push_opt_out_wechat_user_id_wechat_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_opt_out')),
    sa.UniqueConstraint('wechat_user_id', 'category', name='uq_push_opt_out_user_category')
    )
    with op.batch_alter_table('push_opt_out', schema=None) as batch_op:
        batch_op.create_index('ix_push_opt_out_category', ['category', 'opted_out', 'wechat_user_id'],
                              unique=False)
    with op.batch_alter_table('push', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=16), nullable=True))
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('test_openid', sa.String(length=64), nullable=True))
    # The composer's year and city counts at 1,000,000 alumni, read from the index alone.
    with op.batch_alter_table('alumnus', schema=None) as batch_op:
        batch_op.create_index('ix_alumnus_year_user', ['graduation_year', 'wechat_user_id'],
                              unique=False)
    # The city's carries the columns its expression reads (PostgreSQL reads an index alone only
    # when it holds every column the query names), and only the bound records.
    bound = sa.text("wechat_user_id IS NOT NULL")
    op.create_index('ix_alumnus_current_city_user', 'alumnus',
                    [sa.text('coalesce(profile_city, city)'), 'wechat_user_id'], unique=False,
                    postgresql_include=['profile_city', 'city'], postgresql_where=bound,
                    sqlite_where=bound)


def downgrade() -> None:
    with op.batch_alter_table('alumnus', schema=None) as batch_op:
        batch_op.drop_index('ix_alumnus_current_city_user')
        batch_op.drop_index('ix_alumnus_year_user')
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.drop_column('test_openid')
    with op.batch_alter_table('push', schema=None) as batch_op:
        batch_op.drop_column('category')
    with op.batch_alter_table('push_opt_out', schema=None) as batch_op:
        batch_op.drop_index('ix_push_opt_out_category')
    op.drop_table('push_opt_out')
