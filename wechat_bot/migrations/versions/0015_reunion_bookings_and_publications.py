"""秩年返校: the reunion calendar, bookings, members, passes, meals, notices; the publications library

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 03:30:00.000000

Issue 21. Capacity lives as counters on the day and slot rows (models/reunion.py says why); a
venue points at the booking holding it, so the venue table is created after the bookings.
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('picture_url', sa.String(length=500), nullable=True),
    sa.Column('published_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication'))
    )
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index('ix_publication_category_published', ['category', 'published_at'], unique=False)

    op.create_table('reunion_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('people_capacity', sa.Integer(), nullable=False),
    sa.Column('people_booked', sa.Integer(), nullable=False),
    sa.Column('lodging_capacity', sa.Integer(), nullable=False),
    sa.Column('lodging_booked', sa.Integer(), nullable=False),
    sa.Column('tour_capacity', sa.Integer(), nullable=False),
    sa.Column('tour_booked', sa.Integer(), nullable=False),
    sa.Column('lunch_capacity', sa.Integer(), nullable=False),
    sa.Column('lunch_booked', sa.Integer(), nullable=False),
    sa.Column('dinner_capacity', sa.Integer(), nullable=False),
    sa.Column('dinner_booked', sa.Integer(), nullable=False),
    sa.Column('updated_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reunion_day')),
    sa.UniqueConstraint('day', name=op.f('uq_reunion_day_day'))
    )
    op.create_table('reunion_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('ends', sa.Time(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['day_id'], ['reunion_day.id'], name=op.f('fk_reunion_slot_day_id_reunion_day'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reunion_slot')),
    sa.UniqueConstraint('day_id', 'starts', name='uq_reunion_slot_day_starts')
    )
    op.create_table('reunion_booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('college', sa.String(length=64), nullable=False),
    sa.Column('graduation_year', sa.Integer(), nullable=False),
    sa.Column('anniversary', sa.Integer(), nullable=False),
    sa.Column('class_key', sa.String(length=96), nullable=True),
    sa.Column('contact_user_id', sa.Integer(), nullable=True),
    sa.Column('contact_alumnus_id', sa.Integer(), nullable=True),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('lodging', sa.Integer(), nullable=False),
    sa.Column('venue_size', sa.Integer(), nullable=False),
    sa.Column('tour', sa.Boolean(), nullable=False),
    sa.Column('lunch', sa.Boolean(), nullable=False),
    sa.Column('dinner', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', 'approved', 'declined', 'cancelled', 'visited', 'no_show', name='bookingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('programme', sa.Text(), nullable=True),
    sa.Column('programme_by', sa.String(length=64), nullable=True),
    sa.Column('programme_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('photo_url', sa.String(length=500), nullable=True),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_alumnus_id'], ['alumnus.id'], name=op.f('fk_reunion_booking_contact_alumnus_id_alumnus'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_user_id'], ['wechat_user.id'], name=op.f('fk_reunion_booking_contact_user_id_wechat_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['day_id'], ['reunion_day.id'], name=op.f('fk_reunion_booking_day_id_reunion_day')),
    sa.ForeignKeyConstraint(['slot_id'], ['reunion_slot.id'], name=op.f('fk_reunion_booking_slot_id_reunion_slot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reunion_booking')),
    sa.UniqueConstraint('class_key', name=op.f('uq_reunion_booking_class_key'))
    )
    with op.batch_alter_table('reunion_booking', schema=None) as batch_op:
        batch_op.create_index('ix_reunion_booking_college_year', ['college', 'graduation_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_reunion_booking_contact_user_id'), ['contact_user_id'], unique=False)
        batch_op.create_index('ix_reunion_booking_day_status', ['day_id', 'status'], unique=False)

    op.create_table('reunion_venue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['reunion_booking.id'], name=op.f('fk_reunion_venue_booking_id_reunion_booking'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['day_id'], ['reunion_day.id'], name=op.f('fk_reunion_venue_day_id_reunion_day'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reunion_venue')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_reunion_venue_booking_id')),
    sa.UniqueConstraint('day_id', 'name', name='uq_reunion_venue_day_name')
    )
    op.create_table('reunion_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('alumnus_id', sa.Integer(), nullable=False),
    sa.Column('wechat_user_id', sa.Integer(), nullable=True),
    sa.Column('is_contact', sa.Boolean(), nullable=False),
    sa.Column('companions', sa.JSON(), nullable=False),
    sa.Column('party', sa.Integer(), nullable=False),
    sa.Column('joined_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('arrived_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('arrived_by', sa.String(length=64), nullable=True),
    sa.Column('pass_revoked_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['alumnus_id'], ['alumnus.id'], name=op.f('fk_reunion_member_alumnus_id_alumnus'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['booking_id'], ['reunion_booking.id'], name=op.f('fk_reunion_member_booking_id_reunion_booking'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wechat_user_id'], ['wechat_user.id'], name=op.f('fk_reunion_member_wechat_user_id_wechat_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reunion_member')),
    sa.UniqueConstraint('booking_id', 'alumnus_id', name='uq_reunion_member_booking_alumnus')
    )
    with op.batch_alter_table('reunion_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reunion_member_alumnus_id'), ['alumnus_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reunion_member_wechat_user_id'), ['wechat_user_id'], unique=False)

    op.create_table('reunion_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('push_id', sa.Integer(), nullable=True),
    sa.Column('queued_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['reunion_booking.id'], name=op.f('fk_reunion_notice_booking_id_reunion_booking'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['push_id'], ['push.id'], name=op.f('fk_reunion_notice_push_id_push'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reunion_notice')),
    sa.UniqueConstraint('booking_id', 'kind', name='uq_reunion_notice_booking_kind')
    )
    op.create_table('reunion_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['reunion_booking.id'], name=op.f('fk_reunion_feedback_booking_id_reunion_booking'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['reunion_member.id'], name=op.f('fk_reunion_feedback_member_id_reunion_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reunion_feedback')),
    sa.UniqueConstraint('member_id', name='uq_reunion_feedback_member_id')
    )
    with op.batch_alter_table('reunion_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reunion_feedback_booking_id'), ['booking_id'], unique=False)

    op.create_table('reunion_meal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('meal', sa.String(length=8), nullable=False),
    sa.Column('served_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('served_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['reunion_member.id'], name=op.f('fk_reunion_meal_member_id_reunion_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reunion_meal')),
    sa.UniqueConstraint('member_id', 'meal', name='uq_reunion_meal_member_meal')
    )


def downgrade() -> None:
    op.drop_table('reunion_meal')
    with op.batch_alter_table('reunion_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reunion_feedback_booking_id'))

    op.drop_table('reunion_feedback')
    op.drop_table('reunion_notice')
    with op.batch_alter_table('reunion_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reunion_member_wechat_user_id'))
        batch_op.drop_index(batch_op.f('ix_reunion_member_alumnus_id'))

    op.drop_table('reunion_member')
    with op.batch_alter_table('reunion_booking', schema=None) as batch_op:
        batch_op.drop_index('ix_reunion_booking_day_status')
        batch_op.drop_index(batch_op.f('ix_reunion_booking_contact_user_id'))
        batch_op.drop_index('ix_reunion_booking_college_year')

    op.drop_table('reunion_booking')
    op.drop_table('reunion_venue')
    op.drop_table('reunion_slot')
    op.drop_table('reunion_day')
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index('ix_publication_category_published')

    op.drop_table('publication')
