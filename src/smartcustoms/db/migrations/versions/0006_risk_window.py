"""risk: the number of recent scores lane thresholds follow (risk_budgets.window)

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing budgets get the default window: thresholds start following recent scores.
    with op.batch_alter_table("risk_budgets") as batch:
        batch.add_column(
            sa.Column("window", sa.Integer(), server_default=sa.text("2000"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_budgets") as batch:
        batch.drop_column("window")
