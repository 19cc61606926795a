"""The audit trail every feature appends to: an append-only SHA-256 hash chain per economy.

- ``log``: ``AuditEvent`` (what happened), ``AuditLog`` (the repository: append under the
  chain head's lock, bodies through orjson where its text is the standard encoder's, entries
  stored with the bulk writer; read an entity's history, verify the chains);
- ``service``: the read-only use cases (verify, heads, history) for the CLI and pages;
- ``tables``: ``audit_entries`` and ``audit_heads``.

A kernel package: it imports ``core`` and ``db`` only, never a feature (import-linter checks).
"""
