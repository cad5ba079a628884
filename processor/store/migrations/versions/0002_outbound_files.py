"""Outbound files staged with their control numbers before they are written.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbound_files",
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("receiver", sa.String(15), nullable=False),
        sa.Column("st01", sa.String(3), nullable=False),
        sa.Column("isa13", sa.Integer(), nullable=False),
        sa.Column("gs06", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_outbound_files")),
    )
    op.create_index(op.f("ix_outbound_files_written_at"), "outbound_files", ["written_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbound_files_written_at"), table_name="outbound_files")
    op.drop_table("outbound_files")
