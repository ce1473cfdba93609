"""events: events, registrations (seats as a guarded counter, a waitlist by position), reminders once

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 04:40:00.000000

Issue 22. models/event.py says why seats are a counter on the event and how the waitlist is ordered.
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('picture_url', sa.String(length=500), nullable=True),
    sa.Column('starts_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=128), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('waitlist_next', sa.Integer(), nullable=False),
    sa.Column('signup_opens_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('signup_closes_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('audience', sa.String(length=200), nullable=False),
    sa.Column('max_guests', sa.Integer(), nullable=False),
    sa.Column('ask_shirt_size', sa.Boolean(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('chapter_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'open', 'closed', 'cancelled', name='eventstatus', native_enum=False, length=16), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('qr_ticket', sa.String(length=200), nullable=True),
    sa.Column('qr_url', sa.String(length=500), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chapter_id'], ['chapter.id'], name=op.f('fk_event_chapter_id_chapter'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_chapter', ['chapter_id'], unique=False)
        batch_op.create_index('ix_event_status_starts', ['status', 'starts_at'], unique=False)

    op.create_table('event_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('push_id', sa.Integer(), nullable=True),
    sa.Column('queued_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_notice_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['push_id'], ['push.id'], name=op.f('fk_event_notice_push_id_push'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_notice')),
    sa.UniqueConstraint('event_id', 'kind', name='uq_event_notice_event_kind')
    )
    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('wechat_user_id', sa.Integer(), nullable=False),
    sa.Column('alumnus_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('confirmed', 'waitlisted', 'offered', 'cancelled', name='registrationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('guests', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('position', sa.Double(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('offered_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('offer_expires_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('checked_in_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['alumnus_id'], ['alumnus.id'], name=op.f('fk_registration_alumnus_id_alumnus'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_registration_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wechat_user_id'], ['wechat_user.id'], name=op.f('fk_registration_wechat_user_id_wechat_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration')),
    sa.UniqueConstraint('event_id', 'wechat_user_id', name='uq_registration_event_user')
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index('ix_registration_event_status_position', ['event_id', 'status', 'position'], unique=False)
        batch_op.create_index('ix_registration_user', ['wechat_user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_user')
        batch_op.drop_index('ix_registration_event_status_position')

    op.drop_table('registration')
    op.drop_table('event_notice')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_status_starts')
        batch_op.drop_index('ix_event_chapter')

    op.drop_table('event')
