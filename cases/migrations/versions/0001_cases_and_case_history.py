"""Cases and their history (受理 onwards).

Column types are spelled out here (plain Text for JSON, timezone-aware DateTime) so the
migration never changes when the ORM helper types do.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 16:45:20.087591
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("idempotency_key", sa.String(length=160), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested", sa.String(length=16), nullable=False),
        sa.Column("handler_role", sa.String(length=16), nullable=False),
        sa.Column("dispute_type", sa.String(length=32), nullable=False),
        sa.Column("risk_level", sa.String(length=16), nullable=False),
        sa.Column("risk_cues", sa.Text(), nullable=False),
        sa.Column("village_id", sa.String(length=64), nullable=True),
        sa.Column("village_name", sa.String(length=64), nullable=True),
        sa.Column("resident_name", sa.String(length=64), nullable=True),
        sa.Column("resident_phone", sa.String(length=32), nullable=True),
        sa.Column("phone_last4", sa.String(length=4), nullable=True),
        sa.Column("counterparty", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount", sa.String(length=64), nullable=True),
        sa.Column("incident_date", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=True),
        sa.Column("filed_by", sa.String(length=64), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_contact_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_contact_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("satisfaction_comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_assignee"), ["assignee"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_dispute_type"), ["dispute_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_handler_role"), ["handler_role"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_number"), ["number"], unique=True)
        batch_op.create_index(batch_op.f("ix_cases_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_village_id"), ["village_id"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_village_id"))
        batch_op.drop_index(batch_op.f("ix_cases_status"))
        batch_op.drop_index(batch_op.f("ix_cases_number"))
        batch_op.drop_index(batch_op.f("ix_cases_handler_role"))
        batch_op.drop_index(batch_op.f("ix_cases_dispute_type"))
        batch_op.drop_index(batch_op.f("ix_cases_created_at"))
        batch_op.drop_index(batch_op.f("ix_cases_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_cases_assignee"))

    op.drop_table("cases")
