"""The risk feature's machine-learning kit: database-free (numpy, pandas, scikit-learn,
LightGBM), usable on a file as well as on the database's declarations.

Which file holds what:

- ``frame``: the *declaration frame*, the canonical columns every part of the kit reads (from
  a file here; from the database through :mod:`smartcustoms.risk.source`);
- ``features``: the feature builder (history-based risk indicators, fitted on past
  inspections); ``fast``: the same features for one declaration from a plain dict;
- ``estimator``: the LightGBM risk model (fraud and critical-fraud boosters, save/load);
  ``baseline``: the simple models it is compared with; ``comparison``: that comparison;
- ``evaluation``: metrics (precision at an inspection rate, AUC, report); ``drift``: PSI;
- ``explain``: per-declaration explanations (SHAP contributions summed per subject);
- ``budget``: the inspection budget and calibrated lane thresholds; ``lanes``: from scores
  and fired rules to lanes, vectorised;
- ``online/``: the inspection simulator, selection strategies, bandit, federated learning.

Nothing here imports the database, a unit of work, tables, repositories or services (an
import-linter contract in pyproject.toml keeps it so): the online service in
:mod:`smartcustoms.risk` builds on this kit, never the reverse.
"""
