"""mentors: alumni who offer to mentor, and the requests between alumni

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 11:30:00.000000

Issue 24 (mentors). models/mentor.py says what is public and what waits for acceptance.
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mentor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wechat_user_id', sa.Integer(), nullable=False),
    sa.Column('industry', sa.String(length=64), nullable=False),
    sa.Column('city', sa.String(length=64), nullable=False),
    sa.Column('topics', sa.String(length=200), nullable=False),
    sa.Column('contact_kind', sa.Enum('wechat', 'phone', 'email', 'none', name='contactkind',
                                      native_enum=False, create_constraint=False, length=16),
              nullable=False),
    sa.Column('contact_value', sa.String(length=128), nullable=True),
    sa.Column('monthly_cap', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'paused', 'withdrawn', name='mentorstatus',
                                native_enum=False, create_constraint=False, length=16),
              nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['wechat_user_id'], ['wechat_user.id'],
                            name=op.f('fk_mentor_wechat_user_id_wechat_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor')),
    sa.UniqueConstraint('wechat_user_id', name=op.f('uq_mentor_wechat_user_id'))
    )
    op.create_table('mentor_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_user_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.Column('contact_kind', sa.Enum('wechat', 'phone', 'email', 'none', name='contactkind',
                                      native_enum=False, create_constraint=False, length=16),
              nullable=False),
    sa.Column('contact_value', sa.String(length=128), nullable=True),
    sa.Column('status', sa.Enum('open', 'accepted', 'declined', 'withdrawn', 'closed',
                                name='requeststatus', native_enum=False, create_constraint=False,
                                length=16),
              nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mentee_user_id'], ['wechat_user.id'],
                            name=op.f('fk_mentor_request_mentee_user_id_wechat_user'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['mentor.id'],
                            name=op.f('fk_mentor_request_mentor_id_mentor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_request'))
    )
    op.create_index('ix_mentor_request_mentee_status', 'mentor_request',
                    ['mentee_user_id', 'status'], unique=False)
    op.create_index('ix_mentor_request_mentor_created', 'mentor_request',
                    ['mentor_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_mentor_request_mentor_created', table_name='mentor_request')
    op.drop_index('ix_mentor_request_mentee_status', table_name='mentor_request')
    op.drop_table('mentor_request')
    op.drop_table('mentor')
