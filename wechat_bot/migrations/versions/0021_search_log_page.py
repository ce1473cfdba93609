"""search log: the page served, as a column (issue 23)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 11:30:00.000000

Later pages (下一页) were logged as the query with "（第N页）" appended. The page is now a column
of its own, and the rows logged before are split the same way, so every line reads alike.
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

_SUFFIX = re.compile(r"^(.*)（第(\d+)页）$", re.S)
_LOG = sa.table('search_log', sa.column('id', sa.Integer), sa.column('query', sa.String),
                sa.column('page', sa.Integer))


def upgrade() -> None:
    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page', sa.Integer(), server_default='1', nullable=False))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_LOG.c.id, _LOG.c.query)
                              .where(_LOG.c.query.like('%（第%页）'))).all()
    for row_id, query in rows:
        found = _SUFFIX.match(query)
        if found:
            connection.execute(sa.update(_LOG).where(_LOG.c.id == row_id)
                               .values(query=found[1], page=int(found[2])))


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(sa.update(_LOG).where(_LOG.c.page > 1).values(
        query=sa.func.substr(_LOG.c.query, 1, 200 - 6)
        + sa.literal('（第') + sa.cast(_LOG.c.page, sa.String) + sa.literal('页）')))
    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.drop_column('page')
