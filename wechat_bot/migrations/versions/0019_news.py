"""news: uploaded covers and PDFs of publications, and when an item was announced

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 11:30:00.000000

Issue 24 (news and publications). models/publication.py says why files live in the database.
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announced_at', models.base.UtcDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('announced_by', sa.String(length=64), nullable=True))

    op.create_table('publication_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['publication_id'], ['publication.id'],
                            name=op.f('fk_publication_file_publication_id_publication'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_file')),
    sa.UniqueConstraint('token', name=op.f('uq_publication_file_token'))
    )
    with op.batch_alter_table('publication_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_file_publication_id'), ['publication_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('publication_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_file_publication_id'))
    op.drop_table('publication_file')
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_column('announced_by')
        batch_op.drop_column('announced_at')
