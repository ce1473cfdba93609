"""push outbox, deliveries and subscribe consents

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:54:14.539572
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('push',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('audience', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('template_id', sa.String(length=128), nullable=True),
    sa.Column('template_data', sa.JSON(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('subscribe_template_id', sa.String(length=128), nullable=True),
    sa.Column('subscribe_data', sa.JSON(), nullable=True),
    sa.Column('page', sa.String(length=200), nullable=True),
    sa.Column('mass', sa.Boolean(), nullable=False),
    sa.Column('not_before', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push')),
    sa.UniqueConstraint('key', name=op.f('uq_push_key'))
    )
    with op.batch_alter_table('push', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_kind'), ['kind'], unique=False)

    op.create_table('delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('push_id', sa.Integer(), nullable=False),
    sa.Column('wechat_user_id', sa.Integer(), nullable=True),
    sa.Column('openid', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.Column('refused_channels', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('sending_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('errcode', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.Column('msgid', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['push_id'], ['push.id'], name=op.f('fk_delivery_push_id_push'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wechat_user_id'], ['wechat_user.id'], name=op.f('fk_delivery_wechat_user_id_wechat_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery')),
    sa.UniqueConstraint('push_id', 'wechat_user_id', name='uq_delivery_push_user')
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_push_id'), ['push_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_wechat_user_id'), ['wechat_user_id'], unique=False)

    op.create_table('subscribe_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wechat_user_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.String(length=128), nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.Column('granted_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('spent_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['wechat_user_id'], ['wechat_user.id'], name=op.f('fk_subscribe_consent_wechat_user_id_wechat_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribe_consent')),
    sa.UniqueConstraint('wechat_user_id', 'template_id', name='uq_subscribe_consent_user_template')
    )


def downgrade() -> None:
    op.drop_table('subscribe_consent')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_wechat_user_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_push_id'))
        batch_op.drop_index('ix_delivery_due')

    op.drop_table('delivery')
    with op.batch_alter_table('push', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_kind'))

    op.drop_table('push')
