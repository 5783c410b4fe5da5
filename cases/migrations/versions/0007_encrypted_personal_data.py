"""personal data encrypted at rest: wider columns for ciphertext, a keyed hash to look phones up

Existing rows keep their clear values until ``cunfa keys rotate`` encrypts them (cases.crypto reads
values without the encryption prefix as they are).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

WIDENED = (("resident_name", 64), ("resident_phone", 32), ("affected_person", 64), ("counterparty", 200))


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for column, length in WIDENED:
            batch_op.alter_column(column, existing_type=sa.String(length=length), type_=sa.Text())
        batch_op.add_column(sa.Column("phone_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_cases_phone_hash", ["phone_hash"])


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_phone_hash")
        batch_op.drop_column("phone_hash")
        for column, length in WIDENED:
            batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.String(length=length))
