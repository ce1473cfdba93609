"""chapters, liaisons, members, class ambassadors

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:12.933284
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chapter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('city', sa.String(length=64), nullable=True),
    sa.Column('province', sa.String(length=32), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('intro', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chapter')),
    sa.UniqueConstraint('name', name=op.f('uq_chapter_name'))
    )
    with op.batch_alter_table('chapter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chapter_city'), ['city'], unique=False)
        batch_op.create_index(batch_op.f('ix_chapter_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_chapter_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_chapter_province'), ['province'], unique=False)

    op.create_table('chapter_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chapter_id', sa.Integer(), nullable=False),
    sa.Column('wechat_user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['chapter_id'], ['chapter.id'], name=op.f('fk_chapter_member_chapter_id_chapter'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wechat_user_id'], ['wechat_user.id'], name=op.f('fk_chapter_member_wechat_user_id_wechat_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chapter_member')),
    sa.UniqueConstraint('chapter_id', 'wechat_user_id', name='uq_chapter_member_chapter_user')
    )
    with op.batch_alter_table('chapter_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chapter_member_wechat_user_id'), ['wechat_user_id'], unique=False)

    op.create_table('chapter_liaison',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chapter_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('contact', sa.String(length=128), nullable=True),
    sa.Column('alumnus_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['alumnus_id'], ['alumnus.id'], name=op.f('fk_chapter_liaison_alumnus_id_alumnus'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['chapter_id'], ['chapter.id'], name=op.f('fk_chapter_liaison_chapter_id_chapter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chapter_liaison'))
    )
    with op.batch_alter_table('chapter_liaison', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chapter_liaison_alumnus_id'), ['alumnus_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chapter_liaison_chapter_id'), ['chapter_id'], unique=False)

    op.create_table('class_ambassador',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('college', sa.String(length=64), nullable=False),
    sa.Column('graduation_year', sa.Integer(), nullable=False),
    sa.Column('class_name', sa.String(length=64), nullable=False),
    sa.Column('alumnus_id', sa.Integer(), nullable=False),
    sa.Column('contact', sa.String(length=128), nullable=True),
    sa.Column('appointed_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alumnus_id'], ['alumnus.id'], name=op.f('fk_class_ambassador_alumnus_id_alumnus'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_ambassador')),
    sa.UniqueConstraint('college', 'graduation_year', 'class_name', name='uq_class_ambassador_class')
    )
    with op.batch_alter_table('class_ambassador', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_ambassador_alumnus_id'), ['alumnus_id'], unique=False)
        batch_op.create_index('ix_class_ambassador_year', ['graduation_year'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('class_ambassador', schema=None) as batch_op:
        batch_op.drop_index('ix_class_ambassador_year')
        batch_op.drop_index(batch_op.f('ix_class_ambassador_alumnus_id'))

    op.drop_table('class_ambassador')
    with op.batch_alter_table('chapter_liaison', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chapter_liaison_chapter_id'))
        batch_op.drop_index(batch_op.f('ix_chapter_liaison_alumnus_id'))

    op.drop_table('chapter_liaison')
    with op.batch_alter_table('chapter_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chapter_member_wechat_user_id'))

    op.drop_table('chapter_member')
    with op.batch_alter_table('chapter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chapter_province'))
        batch_op.drop_index(batch_op.f('ix_chapter_kind'))
        batch_op.drop_index(batch_op.f('ix_chapter_country'))
        batch_op.drop_index(batch_op.f('ix_chapter_city'))

    op.drop_table('chapter')
