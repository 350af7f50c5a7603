"""The server's tuning, in one package that sits above the app.

Nothing below it imports it: at start-up it configures the app (the write gate
the route class asks for, ``api.routing.write_turns``) and the process, then
serves.

- ``start``: what ``servefirst serve``/``demo`` and each worker do at start-up.
- ``turns``: write turns, a process's write requests let in a few at a time.
- ``process``: ``gc.freeze`` and the GIL switch interval.
- ``connection_shares``: keep-alive connections kept even over the workers.
- ``serving``: uvicorn, in one process or one per core sharing the port.

Each piece stays while paired benchmark runs (``python -m bench.paired``) show
it earns its place; ``bench/README.md`` ("The server's tuning") records them.
Each number is a setting (``config.Settings``), so a run can turn it off.
"""
