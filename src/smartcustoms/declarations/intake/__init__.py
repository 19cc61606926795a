"""Intake: how a declaration gets in, from the document to the stored row.

- ``validation`` and ``reader``: reading a document alone (no database), every problem at once
  with its JSON path; ``reader.Policy`` switches rules a historical file may break;
- ``checking``: ``Checker``, the checks against stored reference data and the tariff, and the
  duties (``smartcustoms.tariff.duties``);
- ``mapping`` and ``profiles/``: national file formats mapped onto the document by YAML profiles;
- ``importing``: bulk import (streamed, checked in full, lodged chunk by chunk, resumable);
- ``lodging``: ``lodge()``, the one write path of a new declaration (lane, rows, audit), for
  web, API, CLI and bulk import alike.
"""
