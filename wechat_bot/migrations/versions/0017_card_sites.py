"""card: campus sites that check alumni cards, each with a hashed key

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 07:00:00.000000

Issue 24 (the alumni e-card). models/card.py says why only the key's hash is kept.
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('card_site',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('key_hint', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.Column('last_used_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('checks', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_site')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_card_site_key_hash')),
    sa.UniqueConstraint('name', name=op.f('uq_card_site_name'))
    )


def downgrade() -> None:
    op.drop_table('card_site')
