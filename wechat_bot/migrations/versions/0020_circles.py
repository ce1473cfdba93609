"""circles: class and interest circles, members, notices

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 11:05:06.874656

Issue 24 part 3 (alumni circles). models/circle.py says what a class circle's members are.
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('circle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('class', 'interest', name='circlekind', native_enum=False, length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('intro', sa.Text(), nullable=True),
    sa.Column('college', sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql'), nullable=False),
    sa.Column('graduation_year', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'active', 'rejected', 'closed', name='circlestatus', native_enum=False, length=16), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decision_note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['proposed_by'], ['wechat_user.id'], name=op.f('fk_circle_proposed_by_wechat_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle')),
    sa.UniqueConstraint('kind', 'college', 'graduation_year', name='uq_circle_class')
    )
    with op.batch_alter_table('circle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_proposed_by'), ['proposed_by'], unique=False)
        batch_op.create_index('ix_circle_status_kind', ['status', 'kind'], unique=False)

    op.create_table('circle_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('wechat_user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('member', 'admin', name='circlerole', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('active', 'left', 'removed', name='memberstatus', native_enum=False, length=16), nullable=False),
    sa.Column('joined_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('changed_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], name=op.f('fk_circle_member_circle_id_circle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wechat_user_id'], ['wechat_user.id'], name=op.f('fk_circle_member_wechat_user_id_wechat_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_member')),
    sa.UniqueConstraint('circle_id', 'wechat_user_id', name='uq_circle_member_user')
    )
    with op.batch_alter_table('circle_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_member_wechat_user_id'), ['wechat_user_id'], unique=False)

    op.create_table('circle_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('author_user_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_user_id'], ['wechat_user.id'], name=op.f('fk_circle_notice_author_user_id_wechat_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], name=op.f('fk_circle_notice_circle_id_circle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_notice'))
    )
    with op.batch_alter_table('circle_notice', schema=None) as batch_op:
        batch_op.create_index('ix_circle_notice_circle_time', ['circle_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('circle_notice', schema=None) as batch_op:
        batch_op.drop_index('ix_circle_notice_circle_time')

    op.drop_table('circle_notice')
    with op.batch_alter_table('circle_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_member_wechat_user_id'))

    op.drop_table('circle_member')
    with op.batch_alter_table('circle', schema=None) as batch_op:
        batch_op.drop_index('ix_circle_status_kind')
        batch_op.drop_index(batch_op.f('ix_circle_proposed_by'))

    op.drop_table('circle')
