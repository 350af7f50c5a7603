"""servefirst: serve first, pay after.

A post-payment platform for service businesses. The package is cut by feature
(``tabs``, ``ledger``, ``payments``, ...); each feature keeps its pure rules in
``rules.py``, its use cases in ``service.py`` and its HTTP adapter in
``endpoints.py``. Shared value types live in ``kit``.
"""

__version__ = "0.1.0"
