"""declarations: the whole lane decision kept on the declaration (model version, rules fired,
plain-word explanations), so every page and API reads it from one place, whatever the path the
declaration came in by (lodgement or bulk import)

Revision ID: 0008
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("declarations") as batch:
        batch.add_column(sa.Column("lane_model_version", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("lane_rules_fired", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("lane_explanations", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("declarations") as batch:
        batch.drop_column("lane_explanations")
        batch.drop_column("lane_rules_fired")
        batch.drop_column("lane_model_version")
