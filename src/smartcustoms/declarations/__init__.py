"""Paperless goods declarations: intake, the lifecycle, officer control, lanes, read APIs.

Which file holds what (docs/architecture.md has the full map and where new things go):

- ``model``: the declaration, its items and parties, statuses, lanes, records (pure);
- ``intake/``: how a declaration gets in. ``validation``/``reader`` (the document alone, every
  problem with its JSON path), ``checking`` (``Checker``: stored reference data, the tariff, the
  duties from ``smartcustoms.tariff.duties``), ``mapping``/``profiles/`` (national files),
  ``importing`` (bulk import), ``lodging`` (``lodge()``: the one write path of a new
  declaration, for web, API, CLI and bulk import);
- ``lifecycle``: the transition table (action → from-states, roles, target states);
- ``transitions``: ``transition()``, the one step every state change goes through (check,
  compare-and-set, target state, audit event), ``act()`` for the actions that only move the
  state, and assess-and-route;
- ``service``: the declarant's use cases (validate, submit, get, list, amend, cancel);
  ``control``: the officer's (arrival notice, refer, record inspection, release, seize);
- ``lanes``: the lane-selection interface (``Assessor``) and the rule-based assessor (the
  learned one comes from the risk feature through the composition root);
- ``origin_proof``: preferences granted only with a verified certificate of origin;
- storage: ``tables``, ``repository``, ``records`` (rows → records), ``document`` (JSON form,
  hashing), ``schemas`` (API models), ``demo`` (demo traffic);
- read APIs for other features: ``queries`` (declarations' own vocabulary), ``frames`` (risk).

The audit trail is its own package, ``smartcustoms.audit``.
"""
