"""Paperless goods declarations: model, validation, duties and taxes, lifecycle, audit trail,
idempotent submission and bulk import through mapping profiles."""
