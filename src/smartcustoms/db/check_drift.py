"""``python -m smartcustoms.db.check_drift``: migrate a scratch SQLite database and run
``alembic check`` on it, so ``make lint`` catches models that no migration creates.
(PostgreSQL drift is checked by the integration tests.)"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from smartcustoms.db import migrate


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'drift.db'}"
        migrate.upgrade(url, "heads")
        try:
            migrate.check(url)
        except migrate.SchemaDrift as exc:
            print(f"schema drift: {exc}", file=sys.stderr)
            return 1
    print("alembic check: no drift")
    return 0


if __name__ == "__main__":
    sys.exit(main())
