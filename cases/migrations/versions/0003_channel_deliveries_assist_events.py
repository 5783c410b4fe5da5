"""channel deliveries and assist events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("channel_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_deliveries_received_at"), ["received_at"], unique=False)

    op.create_table(
        "assist_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assist_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assist_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assist_events_call_id"), ["call_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assist_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assist_events_call_id"))
        batch_op.drop_index(batch_op.f("ix_assist_events_at"))
    op.drop_table("assist_events")
    with op.batch_alter_table("channel_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_deliveries_received_at"))
    op.drop_table("channel_deliveries")
