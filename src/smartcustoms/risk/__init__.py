"""Risk targeting: the learned risk model, its features and explanations, evaluation, inspection
budget (lanes) and drift watch.

The contract with the rest of the platform is the *declaration frame* (see :mod:`.frame`): a
pandas DataFrame with canonical column names, built from a file or from the database.
"""
