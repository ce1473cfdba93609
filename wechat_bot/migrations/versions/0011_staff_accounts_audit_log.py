"""staff accounts, audit log, dashboard indexes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 00:16:12.723929

The admin page (issue 20): who may log in, the append-only audit log, and the indexes its
dashboard counts from (followers, bindings by week, today's deliveries) at 1,000,000 alumni.
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "0011"
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_action_at', ['action', 'at'], unique=False)
        batch_op.create_index('ix_audit_log_actor_at', ['actor', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('staff_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=32), nullable=False),
    sa.Column('username_key', sa.String(length=32), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('college', sa.String(length=64), nullable=True),
    sa.Column('chapter_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['chapter_id'], ['chapter.id'], name=op.f('fk_staff_account_chapter_id_chapter'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_account')),
    sa.UniqueConstraint('username_key', name=op.f('uq_staff_account_username_key'))
    )
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_account_chapter_id'), ['chapter_id'], unique=False)

    with op.batch_alter_table('alumnus', schema=None) as batch_op:
        batch_op.create_index('ix_alumnus_bound_at', ['bound_at'], unique=False)
        batch_op.create_index('ix_alumnus_college_bound_at', ['college', 'bound_at', 'wechat_user_id'], unique=False)

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_status_finished', ['status', 'finished_at'], unique=False)

    with op.batch_alter_table('wechat_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wechat_user_subscribed'), ['subscribed'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('wechat_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wechat_user_subscribed'))

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_status_finished')

    with op.batch_alter_table('alumnus', schema=None) as batch_op:
        batch_op.drop_index('ix_alumnus_college_bound_at')
        batch_op.drop_index('ix_alumnus_bound_at')

    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_account_chapter_id'))

    op.drop_table('staff_account')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index('ix_audit_log_actor_at')
        batch_op.drop_index('ix_audit_log_action_at')

    op.drop_table('audit_log')
