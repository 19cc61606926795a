"""exchange: signing keys, partners and their keys, outbox, inbox, refusals, pre-arrival
data, certificates of origin, AEO registry and mutual recognition, risk alerts

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import smartcustoms.db.base

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_aeo",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("authority", sa.String(length=2), nullable=False),
        sa.Column("trader_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("updated_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("economy", "authority", "trader_id", name=op.f("pk_exchange_aeo")),
    )
    op.create_table(
        "exchange_certificates",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("issuer", sa.String(length=2), nullable=False),
        sa.Column("importing_economy", sa.String(length=2), nullable=False),
        sa.Column("export_reference", sa.String(length=64), nullable=True),
        sa.Column("exporter_id", sa.String(length=64), nullable=True),
        sa.Column("importer_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("credential", sa.JSON(), nullable=False),
        sa.Column("issued_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("received_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("economy", "id", name=op.f("pk_exchange_certificates")),
    )
    with op.batch_alter_table("exchange_certificates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_certificates_importing", ["importing_economy", "status"], unique=False
        )

    op.create_table(
        "exchange_inbox",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("sender", sa.String(length=2), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("created", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("in_reply_to", sa.String(length=64), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.Column("received_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_inbox")),
        sa.UniqueConstraint(
            "economy", "sender", "message_id", name=op.f("uq_exchange_inbox_economy")
        ),
    )
    with op.batch_alter_table("exchange_inbox", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_inbox_economy_type", ["economy", "type"], unique=False)

    op.create_table(
        "exchange_mras",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("scope", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("updated_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("economy", "partner", name=op.f("pk_exchange_mras")),
    )
    op.create_table(
        "exchange_outbox",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("recipient", sa.String(length=2), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("expires_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("receipt", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_outbox")),
    )
    with op.batch_alter_table("exchange_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_outbox_economy_subject", ["economy", "type", "subject"], unique=False
        )
        batch_op.create_index(
            "ix_exchange_outbox_status_next", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "exchange_partner_keys",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("not_before", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("imported_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("economy", "partner", "kid", name=op.f("pk_exchange_partner_keys")),
    )
    op.create_table(
        "exchange_partners",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("endpoint", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "keys_refreshed_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("economy", "partner", name=op.f("pk_exchange_partners")),
    )
    op.create_table(
        "exchange_policies",
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("certificate_required_for_preference", sa.Boolean(), nullable=False),
        sa.Column("updated_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("economy", name=op.f("pk_exchange_policies")),
    )
    op.create_table(
        "exchange_pre_arrival",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("sender", sa.String(length=2), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("export_reference", sa.String(length=64), nullable=False),
        sa.Column("exporter_id", sa.String(length=64), nullable=True),
        sa.Column("consignee_id", sa.String(length=64), nullable=True),
        sa.Column("departure_date", sa.Date(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("received_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("matched_declaration_id", sa.String(length=32), nullable=True),
        sa.Column("comparison", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_pre_arrival")),
        sa.UniqueConstraint(
            "economy", "sender", "export_reference", name=op.f("uq_exchange_pre_arrival_economy")
        ),
    )
    with op.batch_alter_table("exchange_pre_arrival", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_pre_arrival_economy_matched",
            ["economy", "matched_declaration_id"],
            unique=False,
        )

    op.create_table(
        "exchange_refusals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=True),
        sa.Column("sender", sa.String(length=2), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("received_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_refusals")),
    )
    with op.batch_alter_table("exchange_refusals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_refusals_economy_received", ["economy", "received_at"], unique=False
        )

    op.create_table(
        "exchange_risk_alerts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("alert", sa.JSON(), nullable=False),
        sa.Column("created_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rule_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_risk_alerts")),
    )
    with op.batch_alter_table("exchange_risk_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_risk_alerts_economy"), ["economy"], unique=False
        )

    op.create_table(
        "exchange_signing_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("economy", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("sealed_private_key", sa.Text(), nullable=False),
        sa.Column("created_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("not_before", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", smartcustoms.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_exchange_signing_keys")),
    )
    with op.batch_alter_table("exchange_signing_keys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_signing_keys_economy_status", ["economy", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("exchange_signing_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_signing_keys_economy_status")

    op.drop_table("exchange_signing_keys")
    with op.batch_alter_table("exchange_risk_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_risk_alerts_economy"))

    op.drop_table("exchange_risk_alerts")
    with op.batch_alter_table("exchange_refusals", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_refusals_economy_received")

    op.drop_table("exchange_refusals")
    with op.batch_alter_table("exchange_pre_arrival", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_pre_arrival_economy_matched")

    op.drop_table("exchange_pre_arrival")
    op.drop_table("exchange_policies")
    op.drop_table("exchange_partners")
    op.drop_table("exchange_partner_keys")
    with op.batch_alter_table("exchange_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_outbox_status_next")
        batch_op.drop_index("ix_exchange_outbox_economy_subject")

    op.drop_table("exchange_outbox")
    op.drop_table("exchange_mras")
    with op.batch_alter_table("exchange_inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_inbox_economy_type")

    op.drop_table("exchange_inbox")
    with op.batch_alter_table("exchange_certificates", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_certificates_importing")

    op.drop_table("exchange_certificates")
    op.drop_table("exchange_aeo")
