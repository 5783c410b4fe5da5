"""channel options shown to each resident

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_options",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_key", sa.String(length=128), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "user_key"),
    )
    with op.batch_alter_table("channel_options", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_options_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("channel_options", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_options_expires_at"))
    op.drop_table("channel_options")
