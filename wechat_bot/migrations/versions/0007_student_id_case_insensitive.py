"""student ids matched case-insensitively

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 21:10:00.000000

Binding finds a record by upper(student_id), so an ID with letters binds however the alumnus
types it; this expression index keeps that lookup an index probe at 1,000,000 records.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alumnus_student_id_upper", "alumnus", [sa.text("upper(student_id)")],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_alumnus_student_id_upper", table_name="alumnus")
