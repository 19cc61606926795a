"""Storage: SQLAlchemy base and types, engine/session factory, unit of work, migrations."""
