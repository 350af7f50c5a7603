"""The smallest Django settings django-hordak runs with, on the benchmark's database.

The database comes from ``BENCH_HORDAK_DATABASE`` (``postgresql://user@host:port/name``).
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

_url = urlsplit(os.environ.get("BENCH_HORDAK_DATABASE", "postgresql://postgres@127.0.0.1/bench"))

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "mptt",
    "hordak",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/"),
        "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname or "127.0.0.1",
        "PORT": str(_url.port or 5432),
        # Keep one connection per thread for the whole run, as a server would.
        "CONN_MAX_AGE": None,
    }
}
HORDAK_DECIMAL_PLACES = 2
HORDAK_MAX_DIGITS = 13
DEFAULT_CURRENCY = "EUR"
CURRENCIES = ["EUR"]
