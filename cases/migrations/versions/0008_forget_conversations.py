"""conversations to forget: residents who declined the personal-information notice

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 00:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forget_conversations",
        sa.Column("sender_id", sa.String(length=255), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("forget_conversations")
