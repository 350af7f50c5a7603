"""Deposits decided by measured risk.

A booking's chance of being missed is estimated when it is made, from what is
known then and fair to use: when it was made and for when, and the customer's
own history with the business. Never who someone is.

- ``records``: one booking as the model sees it, read from a history CSV
  (servefirst's own ``bookings`` format, or the public ``noshow`` data's).
- ``features``: the walk over bookings in the order they were made, building
  each booking's features from outcomes known before its day (one pass).
- ``model``: the explainable logistic model, its hand-set default, the fit
  shrunk towards it, and its factors in words.
- ``metrics`` and ``evaluate``: AUC, Brier, ECE, coverage; the walk-forward
  evaluation a merchant would have lived through.
- ``decision``: expected loss against the friction of asking.
- ``simulate``: a merchant's history replayed under other deposit policies.
- ``service``, ``cli``, ``pages``: the database, the command line, the console.
"""
