"""risk: selectivity rules and versions, watch lists, model registry, budgets, AEO traders

Revision ID: 0005
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import smartcustoms.db.base

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = smartcustoms.db.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "risk_rules",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.Column("updated_at", _TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_rules")),
    )
    op.create_index(
        "ix_risk_rules_economy_status", "risk_rules", ["economy", "status"], unique=False
    )
    op.create_table(
        "risk_rule_versions",
        sa.Column("rule_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["risk_rules.id"],
            name=op.f("fk_risk_rule_versions_rule_id_risk_rules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rule_id", "version", name=op.f("pk_risk_rule_versions")),
    )
    op.create_table(
        "risk_watchlist_entries",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("watchlist", sa.String(length=60), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=40), nullable=False),
        sa.Column("added_at", _TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "economy", "watchlist", "party_id", name=op.f("pk_risk_watchlist_entries")
        ),
    )
    op.create_table(
        "risk_models",
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("directory", sa.Text(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("training_from", sa.Date(), nullable=False),
        sa.Column("training_to", sa.Date(), nullable=False),
        sa.Column("training_rows", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.Column("activated_at", _TS(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_risk_models")),
    )
    op.create_index(
        "ix_risk_models_economy_status", "risk_models", ["economy", "status"], unique=False
    )
    op.create_table(
        "risk_budgets",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("red", sa.Float(), nullable=False),
        sa.Column("yellow", sa.Float(), nullable=False),
        sa.Column("exploration", sa.Float(), nullable=False),
        sa.Column("aeo_factor", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=False),
        sa.Column("updated_at", _TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("economy", name=op.f("pk_risk_budgets")),
    )
    op.create_table(
        "risk_aeo_traders",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("trader_id", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=40), nullable=False),
        sa.Column("added_at", _TS(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("economy", "trader_id", name=op.f("pk_risk_aeo_traders")),
    )


def downgrade() -> None:
    op.drop_table("risk_aeo_traders")
    op.drop_table("risk_budgets")
    op.drop_index("ix_risk_models_economy_status", table_name="risk_models")
    op.drop_table("risk_models")
    op.drop_table("risk_watchlist_entries")
    op.drop_table("risk_rule_versions")
    op.drop_index("ix_risk_rules_economy_status", table_name="risk_rules")
    op.drop_table("risk_rules")
