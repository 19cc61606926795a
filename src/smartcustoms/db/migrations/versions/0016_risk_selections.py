"""risk: the selection strategy of the budget, the selection record of every lodged declaration
(propensity, exploration), the adaptive strategy's bandit, the model updates partners sent

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from smartcustoms.db.base import UTCDateTime

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("risk_budgets") as batch:
        batch.add_column(
            sa.Column("strategy", sa.String(12), nullable=False, server_default=sa.text("'random'"))
        )
    op.create_table(
        "risk_selections",
        sa.Column("declaration_id", sa.String(length=32), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("strategy", sa.String(length=12), nullable=False),
        sa.Column("exploration_rate", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("lane", sa.String(length=8), nullable=False),
        sa.Column("controlled", sa.Boolean(), nullable=False),
        sa.Column("propensity", sa.Float(), nullable=False),
        sa.Column("exploration", sa.Float(), nullable=False),
        sa.Column("explored", sa.Boolean(), nullable=False),
        sa.Column("model_version", sa.String(length=40), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("declaration_id", name=op.f("pk_risk_selections")),
    )
    op.create_index(
        "ix_risk_selections_economy_declared_on",
        "risk_selections",
        ["economy", "declared_on"],
    )
    op.create_table(
        "risk_exploration_tuning",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("arms", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("sums", sa.JSON(), nullable=False),
        sa.Column("arm", sa.Integer(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("tuned_through", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("economy", name=op.f("pk_risk_exploration_tuning")),
    )
    op.create_table(
        "risk_partner_updates",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("training_rows", sa.Integer(), nullable=False),
        sa.Column("model_sha256", sa.String(length=64), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_partner_updates")),
        sa.UniqueConstraint("economy", "message_id", name=op.f("uq_risk_partner_updates_economy")),
    )
    op.create_index(op.f("ix_risk_partner_updates_economy"), "risk_partner_updates", ["economy"])


def downgrade() -> None:
    op.drop_index(op.f("ix_risk_partner_updates_economy"), table_name="risk_partner_updates")
    op.drop_table("risk_partner_updates")
    op.drop_table("risk_exploration_tuning")
    op.drop_index("ix_risk_selections_economy_declared_on", table_name="risk_selections")
    op.drop_table("risk_selections")
    with op.batch_alter_table("risk_budgets") as batch:
        batch.drop_column("strategy")
