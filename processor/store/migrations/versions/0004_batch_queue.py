"""The batch's work queue: runs and the inbound files they hold, for ``edi batch --workers N``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Self-contained like 0001: types, names and value sets spelled out.
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
        "batch_runs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("lock_key", sa.BigInteger(), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_runs")),
    )
    op.create_table(
        "batch_files",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(7), nullable=False),
        sa.Column("owner", sa.BigInteger(), nullable=True),
        sa.Column("owner_name", sa.String(100), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'claimed', 'applied')", name=op.f("ck_batch_files_state")),
        sa.ForeignKeyConstraint(["run_id"], ["batch_runs.id"], name=op.f("fk_batch_files_run_id_batch_runs")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_batch_files")),
        sa.UniqueConstraint("run_id", "seq", name=op.f("uq_batch_files_run_id_seq")),
    )


def downgrade() -> None:
    op.drop_table("batch_files")
    op.drop_table("batch_runs")
