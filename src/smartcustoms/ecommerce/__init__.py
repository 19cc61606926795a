"""Cross-border e-commerce clearance: parcel manifests at volume, the three-order cross-check,
de minimis regimes as data, per-parcel decisions in bulk.

Where things are:

- ``model.py``      pure domain objects (regimes, decisions, signals, outcomes)
- ``regimes.py``    the built-in regimes of the 21 APEC economies, with sources and dates
- ``tables.py``     ORM mapping; ``repository.py`` queries and bulk writes (COPY/executemany)
- ``reader.py``     NDJSON/CSV manifests into flat columns (mapping profiles for CSV)
- ``engine.py``     the vectorised fast path: duties/taxes, risk signals, decisions
- ``validation.py`` every problem of every parcel of a chunk, column-wise
- ``generator.py``  the seeded synthetic manifest generator with injected frauds
- ``signing.py``    Ed25519 signatures over canonical JSON for three-order records
- ``threeorders.py`` matching and reconciling order, payment and waybill records
- ``services/``     use cases, one module each (see its ``__init__``): regimes and settings,
  the engine's context, manifest jobs, parcels and the queue, three-order records, figures
- ``schemas.py`` JSON documents; ``demo.py``
  demo parcels; ``catalogue.py`` goods, descriptions and the words that make them vague
"""
