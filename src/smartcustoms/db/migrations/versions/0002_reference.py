"""reference data: HS, countries, currencies, exchange rates, environmental goods, UN/LOCODE

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 10:40:00

Every table is prefixed ``ref_`` (test fixtures keep those between tests). The HS full-text
documents live in the shared ``fts_documents`` table (kind ``ref_hs``) created by 0001.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import smartcustoms.db.base

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ref_datasets",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ref_datasets")),
    )
    op.create_table(
        "ref_hs_sections",
        sa.Column("roman", sa.String(length=6), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("roman", name=op.f("pk_ref_hs_sections")),
    )
    op.create_table(
        "ref_hs",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=6), nullable=True),
        sa.Column("parent", sa.String(length=6), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_ref_hs")),
    )
    op.create_index(op.f("ix_ref_hs_parent"), "ref_hs", ["parent"], unique=False)
    op.create_table(
        "ref_countries",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("alpha3", sa.String(length=3), nullable=False),
        sa.Column("numeric", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("official_name", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_ref_countries")),
    )
    op.create_table(
        "ref_country_groups",
        sa.Column("group_code", sa.String(length=20), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("member_name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.PrimaryKeyConstraint("group_code", "country_code", name=op.f("pk_ref_country_groups")),
    )
    op.create_table(
        "ref_currencies",
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("numeric", sa.String(length=3), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_ref_currencies")),
    )
    op.create_table(
        "ref_fx_rates",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("per_usd", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("source_quote", sa.String(length=20), nullable=False),
        sa.Column("source_name", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("currency", "month", name=op.f("pk_ref_fx_rates")),
    )
    op.create_table(
        "ref_egl",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("listed_code", sa.String(length=6), nullable=False),
        sa.Column("derivation", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("code", "listed_code", name=op.f("pk_ref_egl")),
    )
    op.create_table(
        "ref_locations",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_ascii", sa.String(length=120), nullable=False),
        sa.Column("name_key", sa.String(length=120), nullable=False),
        sa.Column("subdivision", sa.String(length=10), nullable=True),
        sa.Column("functions", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=2), nullable=True),
        sa.Column("iata", sa.String(length=3), nullable=True),
        sa.Column("coordinates", sa.String(length=20), nullable=True),
        sa.Column("change", sa.String(length=2), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ref_locations")),
    )
    op.create_index(op.f("ix_ref_locations_code"), "ref_locations", ["code"], unique=False)
    op.create_index(op.f("ix_ref_locations_country"), "ref_locations", ["country"], unique=False)
    op.create_index(op.f("ix_ref_locations_name_key"), "ref_locations", ["name_key"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM fts_documents WHERE kind = 'ref_hs'")
    op.drop_index(op.f("ix_ref_locations_name_key"), table_name="ref_locations")
    op.drop_index(op.f("ix_ref_locations_country"), table_name="ref_locations")
    op.drop_index(op.f("ix_ref_locations_code"), table_name="ref_locations")
    op.drop_table("ref_locations")
    op.drop_table("ref_egl")
    op.drop_table("ref_fx_rates")
    op.drop_table("ref_currencies")
    op.drop_table("ref_country_groups")
    op.drop_table("ref_countries")
    op.drop_index(op.f("ix_ref_hs_parent"), table_name="ref_hs")
    op.drop_table("ref_hs")
    op.drop_table("ref_hs_sections")
    op.drop_table("ref_datasets")
