"""cases: the Smart Customs Case Repository (cases, versions, review events, facets)

Revision ID: 0004
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import smartcustoms.db.base

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("economy_code", sa.String(length=2), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("working_version", sa.Integer(), nullable=True),
        sa.Column("published_title", sa.String(length=200), nullable=True),
        sa.Column("published_year", sa.Integer(), nullable=True),
        sa.Column("published_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_cases_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["economy_code"], ["economies.code"], name=op.f("fk_cases_economy_code_economies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("slug", name=op.f("uq_cases_slug")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_economy_code"), ["economy_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_published_year"), ["published_year"], unique=False
        )

    op.create_table(
        "case_versions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=True),
        sa.Column("created_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_versions_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_versions")),
        sa.UniqueConstraint("case_id", "number", name=op.f("uq_case_versions_case_id")),
    )
    with op.batch_alter_table("case_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_versions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_versions_status"), ["status"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_events_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_facets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_facets_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_facets")),
        sa.UniqueConstraint("case_id", "facet", "value", name=op.f("uq_case_facets_case_id")),
    )
    with op.batch_alter_table("case_facets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_facets_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_case_facets_facet_value", ["facet", "value"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM fts_documents WHERE kind = 'cases'")
    with op.batch_alter_table("case_facets", schema=None) as batch_op:
        batch_op.drop_index("ix_case_facets_facet_value")
        batch_op.drop_index(batch_op.f("ix_case_facets_case_id"))
    op.drop_table("case_facets")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))
    op.drop_table("case_events")
    with op.batch_alter_table("case_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_versions_status"))
        batch_op.drop_index(batch_op.f("ix_case_versions_case_id"))
    op.drop_table("case_versions")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_published_year"))
        batch_op.drop_index(batch_op.f("ix_cases_economy_code"))
    op.drop_table("cases")
