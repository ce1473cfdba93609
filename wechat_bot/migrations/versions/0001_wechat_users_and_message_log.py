"""wechat users and message log

Revision ID: 0001
Revises:
Create Date: 2026-12-01 08:37:44.980305
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('message_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('received_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('msg_type', sa.String(length=32), nullable=False),
    sa.Column('event', sa.String(length=64), nullable=True),
    sa.Column('msg_id', sa.String(length=64), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('handler', sa.String(length=128), nullable=True),
    sa.Column('reply_kind', sa.String(length=16), nullable=True),
    sa.Column('elapsed_ms', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_log'))
    )
    with op.batch_alter_table('message_log', schema=None) as batch_op:
        batch_op.create_index('ix_message_log_openid_received', ['openid', 'received_at'], unique=False)

    op.create_table('wechat_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=True),
    sa.Column('miniprogram_openid', sa.String(length=64), nullable=True),
    sa.Column('unionid', sa.String(length=64), nullable=True),
    sa.Column('subscribed', sa.Boolean(), nullable=False),
    sa.Column('subscribed_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('unsubscribed_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('first_interaction_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_interaction_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_message_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_latitude', sa.Double(), nullable=True),
    sa.Column('last_longitude', sa.Double(), nullable=True),
    sa.Column('last_location_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wechat_user')),
    sa.UniqueConstraint('miniprogram_openid', name=op.f('uq_wechat_user_miniprogram_openid')),
    sa.UniqueConstraint('openid', name=op.f('uq_wechat_user_openid')),
    sa.UniqueConstraint('unionid', name=op.f('uq_wechat_user_unionid'))
    )


def downgrade() -> None:
    op.drop_table('wechat_user')
    with op.batch_alter_table('message_log', schema=None) as batch_op:
        batch_op.drop_index('ix_message_log_openid_received')

    op.drop_table('message_log')
