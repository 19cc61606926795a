"""Risk targeting: the learned risk model, selectivity rules, the inspection budget (lanes) and
drift watch.

Which file holds what:

- ``ml/``: the database-free machine-learning kit (frame, features, estimator, evaluation,
  explanations, drift, budget and lanes, the online-learning simulator); see its docstring;
- ``source``: declarations (read through ``declarations.queries``) mapped into the kit's
  declaration frame, and one not yet stored declaration as frame records;
- ``model``: plain objects the services return; ``tables`` / ``repository``: storage;
- ``service``: rules, watch lists, budget, trusted traders (use cases); ``operations``: use
  cases spanning them and the registry (a budget change recalibrates in one transaction);
- ``registry``: the model store (files and facts), activation, calibration; ``training``:
  train from the database, retrain-and-compare, drift; ``states``: per-application caches;
- ``scoring``: the learned assessor (one declaration); ``batch``: the same on a bulk import;
  ``window``: thresholds on the rolling window of stored lane scores; ``wiring``: the lane
  selector the composition root passes to the declarations flow; ``rules``: the rule engine
  (:mod:`smartcustoms.selectivity`) re-exported.

The contract with the rest of the platform is the *declaration frame* (see :mod:`.ml.frame`):
a pandas DataFrame with canonical column names, built from a file or from the database.
"""
