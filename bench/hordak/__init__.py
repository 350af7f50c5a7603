"""The peer ledger: django-hordak, run in its own venv (bench/.venv-hordak)."""
