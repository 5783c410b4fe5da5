"""who asked for whom: the contact's relation to the affected person

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_relation", sa.String(length=24), nullable=False, server_default="self"))
        batch_op.add_column(sa.Column("affected_person", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("affected_person")
        batch_op.drop_column("contact_relation")
