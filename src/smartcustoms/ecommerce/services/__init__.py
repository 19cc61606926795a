"""Use cases of e-commerce clearance. Each owns its transaction (``with uow: ... commit()``).

Submitting a manifest: the manifest row (the job) is committed first as ``processing``; the
parcels are then validated, decided and stored chunk by chunk inside one transaction, which
commits only if the manifest is accepted (all-or-nothing economies reject a manifest with any
bad parcel and store none of it; store-good-parcels economies store the good ones and return
the bad ones). Resubmitting the same bytes returns the first outcome (idempotent).

Where things are:

- ``access.py``     roles that lodge and that work the queue; shared constants
- ``regimes.py``    regime rows (built-in and stored) and per-economy settings
- ``context.py``    the engine's context for an economy and day; running totals from storage
- ``manifests.py``  manifest jobs: open, process, finish, read
- ``parcels.py``    the per-parcel path, decisions, the officers' queue and results, norms
- ``records.py``    the three orders: party keys, signed records, re-deciding waiting parcels
- ``figures.py``    figures and SVG charts
"""

from smartcustoms.ecommerce.services.access import (
    CHUNK,
    LODGERS,
    OFFICERS,
    PARTY_KINDS,
    RESULTS,
    WATCHLIST,
    Progress,
)
from smartcustoms.ecommerce.services.context import build_context, inspect_threshold, prior_state
from smartcustoms.ecommerce.services.figures import chart_svgs, figures
from smartcustoms.ecommerce.services.manifests import (
    manifest,
    manifests,
    open_manifest,
    process_manifest,
    submit_manifest,
)
from smartcustoms.ecommerce.services.parcels import (
    decisions,
    parcel_view,
    queue,
    record_result,
    refresh_norms,
    submit_parcel,
)
from smartcustoms.ecommerce.services.records import (
    expire_waiting,
    register_party_key,
    submit_records,
)
from smartcustoms.ecommerce.services.regimes import (
    add_regime,
    get_settings,
    regime_for,
    regimes,
    save_settings,
)

__all__ = [
    "CHUNK",
    "LODGERS",
    "OFFICERS",
    "PARTY_KINDS",
    "RESULTS",
    "WATCHLIST",
    "Progress",
    "add_regime",
    "build_context",
    "chart_svgs",
    "decisions",
    "expire_waiting",
    "figures",
    "get_settings",
    "inspect_threshold",
    "manifest",
    "manifests",
    "open_manifest",
    "parcel_view",
    "prior_state",
    "process_manifest",
    "queue",
    "record_result",
    "refresh_norms",
    "regime_for",
    "regimes",
    "register_party_key",
    "save_settings",
    "submit_manifest",
    "submit_parcel",
    "submit_records",
]
