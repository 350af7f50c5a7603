"""``servefirst holds renew``: keep booking card holds alive (run hourly from cron).

The lead wires it into ``servefirst.cli`` with ``main.add_command(holds)`` so it
reads ``servefirst holds renew [--merchant-id mer_...] [--json]``.
"""

from __future__ import annotations

import json

import click

from servefirst.bookings.service import renew_holds
from servefirst.config import load_settings
from servefirst.runtime import Runtime


@click.group()
def holds() -> None:
    """Card holds that secure bookings."""


@holds.command("renew")
@click.option("--merchant-id", default=None, help="One merchant (mer_...); all when left out.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def holds_renew(merchant_id: str | None, as_json: bool) -> None:
    """Renew holds that would lapse before their booking, and mark lapsed ones."""
    from servefirst.merchants.service import all_merchant_ids

    runtime = Runtime.create(load_settings())
    runtime.migrate()
    try:
        if merchant_id:
            merchants = [merchant_id]
        else:
            with runtime.uow(write=False) as reader:
                merchants = all_merchant_ids(reader)
        changed: dict[str, list[str]] = {}
        # One unit of work per merchant (each renewal committed in its phases): a
        # failure at one never holds up the others.
        for merchant in merchants:
            with runtime.uow(merchant) as uow:
                changed[merchant] = renew_holds(uow)
                uow.commit()
    finally:
        runtime.dispose()
    if as_json:
        click.echo(json.dumps({"changed": changed}))
    else:
        total = sum(len(ids) for ids in changed.values())
        click.echo(f"{total} hold(s) renewed or marked lapsed across {len(merchants)} merchant(s).")
