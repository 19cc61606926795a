"""declarations: declarations, items, versions, inspections, import batches, assessor
configuration, audit chain; tariff schedules and lines

Revision ID: 0003
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import smartcustoms.db.base
import smartcustoms.db.types

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chain", sa.String(length=8), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entity_kind", sa.String(length=24), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("chain", "seq", name=op.f("uq_audit_entries_chain")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "audit_heads",
        sa.Column("chain", sa.String(length=8), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_heads")),
    )
    op.create_table(
        "declaration_assessor_configs",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=False),
        sa.Column("updated_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("economy", name=op.f("pk_declaration_assessor_configs")),
    )
    op.create_table(
        "declaration_import_batches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_import_batches")),
    )
    op.create_table(
        "declarations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("lodged_by", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("submission_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("lane", sa.String(length=8), nullable=True),
        sa.Column("lane_score", sa.Float(), nullable=True),
        sa.Column("lane_reasons", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("declaration_date", sa.Date(), nullable=False),
        sa.Column("office", sa.String(length=20), nullable=False),
        sa.Column("declarant_id", sa.String(length=64), nullable=False),
        sa.Column("trader_id", sa.String(length=64), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.Column("invoice_currency", sa.String(length=3), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column(
            "customs_value",
            smartcustoms.db.types.Amount(precision=24, scale=4),
            nullable=True,
        ),
        sa.Column("duty_total", smartcustoms.db.types.Amount(precision=24, scale=4), nullable=True),
        sa.Column("tax_total", smartcustoms.db.types.Amount(precision=24, scale=4), nullable=True),
        sa.Column("total_due", smartcustoms.db.types.Amount(precision=24, scale=4), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declarations")),
        sa.UniqueConstraint(
            "economy", "lodged_by", "reference", name=op.f("uq_declarations_economy")
        ),
    )
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_declarations_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_declarations_declarant_id"), ["declarant_id"], unique=False
        )
        batch_op.create_index(
            "ix_declarations_economy_date", ["economy", "declaration_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_declarations_lodged_by"), ["lodged_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_declarations_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_declarations_trader_id"), ["trader_id"], unique=False)

    op.create_table(
        "tariff_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("hs_prefix", sa.String(length=10), nullable=False),
        sa.Column("rate_type", sa.String(length=12), nullable=False),
        sa.Column(
            "ad_valorem", smartcustoms.db.types.Amount(precision=24, scale=4), nullable=False
        ),
        sa.Column(
            "specific_amount",
            smartcustoms.db.types.Amount(precision=24, scale=4),
            nullable=True,
        ),
        sa.Column("specific_unit", sa.String(length=4), nullable=True),
        sa.Column("origins", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_lines")),
        sa.UniqueConstraint(
            "economy", "rate_type", "hs_prefix", name=op.f("uq_tariff_lines_economy")
        ),
    )
    with op.batch_alter_table("tariff_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tariff_lines_economy"), ["economy"], unique=False)

    op.create_table(
        "tariff_schedules",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("vat_rate", smartcustoms.db.types.Amount(precision=24, scale=4), nullable=False),
        sa.Column(
            "de_minimis_amount",
            smartcustoms.db.types.Amount(precision=24, scale=4),
            nullable=True,
        ),
        sa.Column("de_minimis_currency", sa.String(length=3), nullable=True),
        sa.Column("de_minimis_scope", sa.String(length=16), nullable=False),
        sa.Column("default_rate_type", sa.String(length=12), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("economy", name=op.f("pk_tariff_schedules")),
    )
    op.create_table(
        "declaration_inspections",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("declaration_id", sa.String(length=32), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("fraud", sa.Boolean(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column(
            "revenue_adjustment",
            smartcustoms.db.types.Amount(precision=24, scale=4),
            nullable=True,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_inspections_declaration_id_declarations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_inspections")),
    )
    with op.batch_alter_table("declaration_inspections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declaration_inspections_declaration_id"),
            ["declaration_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_declaration_inspections_economy"), ["economy"], unique=False
        )

    op.create_table(
        "declaration_items",
        sa.Column("declaration_id", sa.String(length=32), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("preference", sa.String(length=12), nullable=True),
        sa.Column(
            "net_mass_kg", smartcustoms.db.types.Amount(precision=24, scale=4), nullable=False
        ),
        sa.Column(
            "invoice_value",
            smartcustoms.db.types.Amount(precision=24, scale=4),
            nullable=False,
        ),
        sa.Column(
            "customs_value",
            smartcustoms.db.types.Amount(precision=24, scale=4),
            nullable=True,
        ),
        sa.Column("duty", smartcustoms.db.types.Amount(precision=24, scale=4), nullable=True),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_items_declaration_id_declarations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("declaration_id", "line_no", name=op.f("pk_declaration_items")),
    )
    with op.batch_alter_table("declaration_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_declaration_items_hs_code"), ["hs_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_declaration_items_origin_country"), ["origin_country"], unique=False
        )

    op.create_table(
        "declaration_versions",
        sa.Column("declaration_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=True),
        sa.Column("superseded_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("superseded_by", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_versions_declaration_id_declarations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("declaration_id", "version", name=op.f("pk_declaration_versions")),
    )


def downgrade() -> None:
    op.drop_table("declaration_versions")
    with op.batch_alter_table("declaration_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_items_origin_country"))
        batch_op.drop_index(batch_op.f("ix_declaration_items_hs_code"))

    op.drop_table("declaration_items")
    with op.batch_alter_table("declaration_inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_inspections_economy"))
        batch_op.drop_index(batch_op.f("ix_declaration_inspections_declaration_id"))

    op.drop_table("declaration_inspections")
    op.drop_table("tariff_schedules")
    with op.batch_alter_table("tariff_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tariff_lines_economy"))

    op.drop_table("tariff_lines")
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declarations_trader_id"))
        batch_op.drop_index(batch_op.f("ix_declarations_status"))
        batch_op.drop_index(batch_op.f("ix_declarations_lodged_by"))
        batch_op.drop_index("ix_declarations_economy_date")
        batch_op.drop_index(batch_op.f("ix_declarations_declarant_id"))
        batch_op.drop_index(batch_op.f("ix_declarations_batch_id"))

    op.drop_table("declarations")
    op.drop_table("declaration_import_batches")
    op.drop_table("declaration_assessor_configs")
    op.drop_table("audit_heads")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_entity_id"))

    op.drop_table("audit_entries")
