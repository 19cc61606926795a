"""Parsers for the reference files: pure functions from files to rows (no database here).

Each module raises :class:`~smartcustoms.reference.loaders.common.BadFile` (a
``DataUnavailable``) naming the file and line when a file is not what it should be, so a
corrupted copy stops the load before anything is written.
"""
