"""merge the feature branches (reference, cases, declarations+risk) into one head

The features were developed side by side, each branching from 0001; this revision joins them
so that plain ``alembic upgrade head`` works for operators. New migrations revise 0007.

Revision ID: 0007
Revises: 0002, 0004, 0006
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | Sequence[str] | None = ("0002", "0004", "0006")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
