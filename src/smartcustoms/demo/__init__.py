"""The demo: smart customs at work on a fresh installation (``smartcustoms demo``).

``traffic`` cuts the demo traffic (the KCS datasets when present, else a generated sample) into
history, recent period and arriving declarations; ``prepare`` holds the steps that load it
through the public services (bulk import, the risk set-up, training, the learned assessor).
The demo uses other features' services only; it owns no tables.
"""
