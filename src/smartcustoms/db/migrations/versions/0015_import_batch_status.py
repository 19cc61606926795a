"""import batches carry a status: ``loading`` while stored chunk by chunk, then ``complete``

Bulk import commits each chunk; a batch that is still ``loading`` (an import killed half-way)
is resumed by importing the same file again. Existing batches were stored in one transaction:
they are complete.

Revision ID: 0015
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("declaration_import_batches") as batch:
        batch.add_column(
            sa.Column("status", sa.String(12), nullable=False, server_default="complete")
        )


def downgrade() -> None:
    with op.batch_alter_table("declaration_import_batches") as batch:
        batch.drop_column("status")
