"""alumni roster, binding and audit

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 08:45:41.786474
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_alert'))
    )
    with op.batch_alter_table('staff_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_alert_kind'), ['kind'], unique=False)

    op.create_table('alumnus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('graduation_year', sa.Integer(), nullable=False),
    sa.Column('gender', sa.String(length=8), nullable=True),
    sa.Column('degree', sa.String(length=8), nullable=True),
    sa.Column('college', sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql'), nullable=True),
    sa.Column('major', sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql'), nullable=True),
    sa.Column('class_name', sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql'), nullable=True),
    sa.Column('entry_year', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=128), nullable=True),
    sa.Column('city', sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql'), nullable=True),
    sa.Column('employer', sa.String(length=128).with_variant(sa.String(length=128, collation='C'), 'postgresql'), nullable=True),
    sa.Column('industry', sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql'), nullable=True),
    sa.Column('name_key', sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql'), nullable=False),
    sa.Column('search_pinyin', sa.String(length=160).with_variant(sa.String(length=160, collation='C'), 'postgresql'), nullable=False),
    sa.Column('search_initials', sa.String(length=32).with_variant(sa.String(length=32, collation='C'), 'postgresql'), nullable=False),
    sa.Column('imported_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('profile_city', sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql'), nullable=True),
    sa.Column('profile_employer', sa.String(length=128).with_variant(sa.String(length=128, collation='C'), 'postgresql'), nullable=True),
    sa.Column('profile_industry', sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql'), nullable=True),
    sa.Column('privacy', sa.String(length=16), server_default='classmates', nullable=False),
    sa.Column('wechat_user_id', sa.Integer(), nullable=True),
    sa.Column('bound_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['wechat_user_id'], ['wechat_user.id'], name=op.f('fk_alumnus_wechat_user_id_wechat_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alumnus')),
    sa.UniqueConstraint('student_id', name=op.f('uq_alumnus_student_id'))
    )
    with op.batch_alter_table('alumnus', schema=None) as batch_op:
        batch_op.create_index('ix_alumnus_class_name', ['class_name', sa.literal_column('graduation_year DESC'), sa.literal_column('id DESC')], unique=False)
        batch_op.create_index('ix_alumnus_college', ['college', sa.literal_column('graduation_year DESC'), sa.literal_column('id DESC')], unique=False)
        batch_op.create_index('ix_alumnus_graduation_year', [sa.literal_column('graduation_year DESC'), sa.literal_column('id DESC')], unique=False)
        batch_op.create_index('ix_alumnus_major', ['major', sa.literal_column('graduation_year DESC'), sa.literal_column('id DESC')], unique=False)
        batch_op.create_index('ix_alumnus_name_key', ['name_key', sa.literal_column('graduation_year DESC'), sa.literal_column('id DESC')], unique=False)
        batch_op.create_index('ix_alumnus_search_initials', ['search_initials', sa.literal_column('graduation_year DESC'), sa.literal_column('id DESC')], unique=False)
        batch_op.create_index('ix_alumnus_search_pinyin', ['search_pinyin', sa.literal_column('graduation_year DESC'), sa.literal_column('id DESC')], unique=False)
        batch_op.create_index(batch_op.f('ix_alumnus_wechat_user_id'), ['wechat_user_id'], unique=False)
        # Expression indexes (search matches the current value); autogenerate cannot see these on SQLite.
        batch_op.create_index('ix_alumnus_current_city', [sa.text('coalesce(profile_city, city)'), sa.literal_column('graduation_year DESC'), sa.literal_column('id DESC')], unique=False)
        batch_op.create_index('ix_alumnus_current_employer', [sa.text('coalesce(profile_employer, employer)'), sa.literal_column('graduation_year DESC'), sa.literal_column('id DESC')], unique=False)
        batch_op.create_index('ix_alumnus_current_industry', [sa.text('coalesce(profile_industry, industry)'), sa.literal_column('graduation_year DESC'), sa.literal_column('id DESC')], unique=False)

    op.create_table('search_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wechat_user_id', sa.Integer(), nullable=False),
    sa.Column('searched_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['wechat_user_id'], ['wechat_user.id'], name=op.f('fk_search_log_wechat_user_id_wechat_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_log'))
    )
    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.create_index('ix_search_log_user_at', ['wechat_user_id', 'searched_at'], unique=False)

    op.create_table('binding_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wechat_user_id', sa.Integer(), nullable=False),
    sa.Column('alumnus_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alumnus_id'], ['alumnus.id'], name=op.f('fk_binding_event_alumnus_id_alumnus'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['wechat_user_id'], ['wechat_user.id'], name=op.f('fk_binding_event_wechat_user_id_wechat_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_binding_event'))
    )
    with op.batch_alter_table('binding_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_binding_event_alumnus_id'), ['alumnus_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_binding_event_wechat_user_id'), ['wechat_user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('binding_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_binding_event_wechat_user_id'))
        batch_op.drop_index(batch_op.f('ix_binding_event_alumnus_id'))

    op.drop_table('binding_event')
    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.drop_index('ix_search_log_user_at')

    op.drop_table('search_log')
    with op.batch_alter_table('alumnus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alumnus_wechat_user_id'))
        batch_op.drop_index('ix_alumnus_current_industry')
        batch_op.drop_index('ix_alumnus_current_employer')
        batch_op.drop_index('ix_alumnus_current_city')
        batch_op.drop_index('ix_alumnus_search_pinyin')
        batch_op.drop_index('ix_alumnus_search_initials')
        batch_op.drop_index('ix_alumnus_name_key')
        batch_op.drop_index('ix_alumnus_major')
        batch_op.drop_index('ix_alumnus_graduation_year')
        batch_op.drop_index('ix_alumnus_college')
        batch_op.drop_index('ix_alumnus_class_name')

    op.drop_table('alumnus')
    with op.batch_alter_table('staff_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_alert_kind'))

    op.drop_table('staff_alert')
