"""``servefirst staff create``: a staff login from the command line.

The lead wires it into ``servefirst.cli`` with ``main.add_command(staff)``
(the group) so it reads ``servefirst staff create ...``.
"""

from __future__ import annotations

import json
import sys

import click

from servefirst.config import load_settings
from servefirst.kit.errors import ServefirstError
from servefirst.runtime import Runtime
from servefirst.staff.service import create_staff


@click.group()
def staff() -> None:
    """Staff logins for the console at /staff."""


@staff.command("create")
@click.option("--merchant-id", required=True, help="The merchant (mer_...) they work for.")
@click.option("--email", required=True, help="What they sign in with.")
@click.option("--name", required=True, help="Shown on the console.")
@click.option("--role", default="staff", show_default=True, help="The job title, free text.")
@click.option(
    "--access",
    type=click.Choice(["owner", "manager", "staff"]),
    default=None,
    help="What the console allows (default: owner for the role 'owner', else staff).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def staff_create(
    merchant_id: str,
    email: str,
    name: str,
    role: str,
    access: str | None,
    password_stdin: bool,
    as_json: bool,
) -> None:
    """Create a staff login. The password is prompted for (twice), never an argument,
    so it stays out of the shell's history and the process list."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    runtime = Runtime.create(load_settings())
    try:
        runtime.migrate()
        with runtime.uow(merchant_id) as uow:
            account = create_staff(
                uow, email=email, password=password, name=name, role=role, access=access
            )
            uow.commit()
    except ServefirstError as exc:
        if as_json:
            click.echo(json.dumps(exc.to_dict()), err=True)
        else:
            click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    finally:
        runtime.dispose()
    result = {
        "merchant_id": account.merchant_id,
        "staff_id": account.staff_id,
        "email": account.email,
        "role": account.role,
        "access": account.access,
    }
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo(
            f"staff {account.staff_id} ({account.role}, {account.access} access)"
            f" signs in at /staff as {account.email}"
        )


#: The command the brief names; the group above is what ``servefirst`` mounts.
__all__ = ["staff", "staff_create"]
