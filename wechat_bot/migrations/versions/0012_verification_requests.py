"""verification requests; what a binding-conflict alert is about

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 01:06:59.733460

Issue 20 item 5: the manual review an alumnus asks for when 绑定 keeps failing (one pending
request per user, by a partial unique index), and on staff_alert the record and the claimant a
binding conflict names, so staff resolve it by keeping one link, with who did and what.
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('verification_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wechat_user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('name_key', sa.String(length=64), nullable=False),
    sa.Column('graduation_year', sa.Integer(), nullable=False),
    sa.Column('college', sa.String(length=64), nullable=False),
    sa.Column('major', sa.String(length=64), nullable=False),
    sa.Column('student_id', sa.String(length=32), nullable=True),
    sa.Column('photo_url', sa.String(length=1024), nullable=True),
    sa.Column('photo_media_id', sa.String(length=128), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='verificationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('decided_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('alumnus_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['alumnus_id'], ['alumnus.id'], name=op.f('fk_verification_request_alumnus_id_alumnus'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['wechat_user_id'], ['wechat_user.id'], name=op.f('fk_verification_request_wechat_user_id_wechat_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_request'))
    )
    with op.batch_alter_table('verification_request', schema=None) as batch_op:
        batch_op.create_index('ix_verification_request_college_status_created', ['college', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_verification_request_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_verification_request_wechat_user_id'), ['wechat_user_id'], unique=False)
        batch_op.create_index('uq_verification_request_pending_user', ['wechat_user_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    with op.batch_alter_table('staff_alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alumnus_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('wechat_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolved_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('resolution', sa.Text(), nullable=True))
        batch_op.create_index('ix_staff_alert_resolved_created', ['resolved_at', 'created_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_staff_alert_alumnus_id_alumnus'), 'alumnus', ['alumnus_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_staff_alert_wechat_user_id_wechat_user'), 'wechat_user', ['wechat_user_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('staff_alert', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_staff_alert_wechat_user_id_wechat_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_staff_alert_alumnus_id_alumnus'), type_='foreignkey')
        batch_op.drop_index('ix_staff_alert_resolved_created')
        batch_op.drop_column('resolution')
        batch_op.drop_column('resolved_by')
        batch_op.drop_column('wechat_user_id')
        batch_op.drop_column('alumnus_id')

    with op.batch_alter_table('verification_request', schema=None) as batch_op:
        batch_op.drop_index('uq_verification_request_pending_user', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_verification_request_wechat_user_id'))
        batch_op.drop_index('ix_verification_request_status_created')
        batch_op.drop_index('ix_verification_request_college_status_created')

    op.drop_table('verification_request')
