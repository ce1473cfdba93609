"""anniversary outreach

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:20:00.000000

The scheduler's own job table (apscheduler_jobs) is not here: APScheduler's SQLAlchemyJobStore
creates it on first start (scheduler.app).
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('anniversary_outreach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('graduation_year', sa.Integer(), nullable=False),
    sa.Column('anniversary', sa.Integer(), nullable=False),
    sa.Column('push_id', sa.Integer(), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('queued_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['push_id'], ['push.id'], name=op.f('fk_anniversary_outreach_push_id_push'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_anniversary_outreach')),
    sa.UniqueConstraint('year', 'graduation_year', name='uq_anniversary_outreach_year_class')
    )


def downgrade() -> None:
    op.drop_table('anniversary_outreach')
