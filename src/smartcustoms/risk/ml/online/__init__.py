"""Online learning for risk targeting: the inspection simulator, selection strategies, bandit.

- ``strategies.py``: which declarations to inspect (exploit, random, diverse, adaptive), with
  each selected row's inclusion probability;
- ``bandit.py``: the discounted UCB bandit that tunes the exploration share;
- ``simulator.py``: the week-by-week protocol where only inspected declarations get labels;
- ``federated.py``: learning across economies that share model updates, never rows.
"""
