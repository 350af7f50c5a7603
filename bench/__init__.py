"""servefirst's benchmark suite: the money path against its engine's limit and a peer.

Run it with ``python -m bench`` (see ``bench/run.py`` for the flags). Benchmarks
are not tests: CI runs only a tiny smoke run of each (tests/bench/).
"""
