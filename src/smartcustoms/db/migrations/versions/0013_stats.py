"""stats: trade cells (derived), refresh state, named periods, publications

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import smartcustoms.db.base
import smartcustoms.db.types

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = smartcustoms.db.base.UTCDateTime
_AMOUNT = smartcustoms.db.types.Amount


def upgrade() -> None:
    op.create_table(
        "stats_trade_cells",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("level", sa.String(length=3), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("hs", sa.String(length=6), nullable=False),
        sa.Column("mode", sa.String(length=24), nullable=False),
        sa.Column("office", sa.String(length=20), nullable=False),
        sa.Column("value", _AMOUNT(), nullable=False),
        sa.Column("net_mass_kg", _AMOUNT(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "economy",
            "level",
            "month",
            "kind",
            "currency",
            "partner",
            "hs",
            "mode",
            "office",
            name=op.f("pk_stats_trade_cells"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_stats_trade_cells_hs",
        "stats_trade_cells",
        ["economy", "level", "hs", "month"],
        unique=False,
    )
    op.create_table(
        "stats_state",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", _TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("economy", name=op.f("pk_stats_state")),
    )
    op.create_table(
        "stats_periods",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=False),
        sa.Column("last_month", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("economy", "code", name=op.f("pk_stats_periods")),
    )
    op.create_table(
        "stats_publications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.String(length=40), nullable=False),
        sa.Column("published_at", _TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_publications")),
    )
    op.create_index(
        op.f("ix_stats_publications_economy"), "stats_publications", ["economy"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_stats_publications_economy"), table_name="stats_publications")
    op.drop_table("stats_publications")
    op.drop_table("stats_periods")
    op.drop_table("stats_state")
    op.drop_index("ix_stats_trade_cells_hs", table_name="stats_trade_cells")
    op.drop_table("stats_trade_cells")
