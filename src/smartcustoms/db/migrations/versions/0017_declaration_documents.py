"""declarations: supporting documents attached to a declaration (invoice, packing list,
certificate of origin, licence, transport document, inspection report); the bytes live in the
files directory, the rows say what they are, who attached them and their SHA-256

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from smartcustoms.db.base import UTCDateTime

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "declaration_documents",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("declaration_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("filename", sa.String(length=160), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=40), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_documents_declaration_id_declarations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_documents")),
    )
    op.create_index(
        op.f("ix_declaration_documents_declaration_id"),
        "declaration_documents",
        ["declaration_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_declaration_documents_declaration_id"), table_name="declaration_documents"
    )
    op.drop_table("declaration_documents")
