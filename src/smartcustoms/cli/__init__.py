"""The ``smartcustoms`` command line: one sub-command group per feature."""
