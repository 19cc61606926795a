"""Paperless goods declarations: model, validation, duties and taxes, lifecycle, audit trail,
idempotent submission and bulk import through mapping profiles.

Which file holds what (docs/architecture.md has the full map):

- intake: ``validation``/``reader`` (the document alone), ``checking`` (against stored
  reference data and the tariff; duties from ``assessment``), ``mapping``/``profiles``
  (national files), ``importing`` (bulk import: checked in full, stored in resumable chunks);
- the one write path of a new declaration: ``lodging.lodge`` (duties → lane → store →
  audit), used by ``service.submit`` (a batch of one) and ``importing``;
- lifecycle: ``lifecycle`` (actions, who may act from which state), ``flow`` (shared steps:
  scoped loading, ``transition()``), ``service`` (declarant use cases), ``actions`` (officer
  use cases);
- lanes: ``assessor`` (the interface and the rule-based assessor; the learned one comes from
  the risk feature through the composition root);
- storage and reading: ``tables``, ``repository``, ``records``, ``document``, ``audit``;
  ``frames`` is the read API the risk feature uses.
"""
