"""``servefirst serve`` and ``demo`` given a ``--host`` they cannot serve on
(a name that does not resolve, one that is no host name, an address that is
not this machine's) say the host is the problem and what to give instead,
exit non-zero, and write nothing. The port is not blamed, and no traceback."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from servefirst.cli import main
from tests.ports import free_port

#: A name the resolver says does not exist (``.invalid`` never does, RFC 6761).
UNRESOLVED = "nope.invalid"
#: An address of no machine here (TEST-NET-3, RFC 5737): binding it is refused
#: locally, no packet sent.
NOT_OURS = "203.0.113.9"


@pytest.fixture
def no_such_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The resolver's answer for ``nope.invalid``, given here without asking a
    name server: the test sends nothing past this machine."""
    resolve = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == UNRESOLVED:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"SERVEFIRST_DATABASE_URL": None, "SERVEFIRST_PUBLIC_URL": None})
    return runner.invoke(main, [*args, "--port", str(free_port())])


def refused_for_its_host(result: Any, host: str, why: str, tmp_path: Path) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    said = " ".join(result.output.split())
    assert f"cannot serve on --host {host}" in said, said
    assert why in said, said
    assert "127.0.0.1" in said and "0.0.0.0" in said  # what to give instead
    assert "port" not in said.lower(), said  # the port is not the problem
    assert list(tmp_path.iterdir()) == []  # no database made


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_host_name_that_does_not_resolve_is_said_to_be_the_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_such_name: None, command: str
) -> None:
    result = run(tmp_path, monkeypatch, command, "--host", UNRESOLVED)
    refused_for_its_host(result, UNRESOLVED, "the name does not resolve", tmp_path)


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_an_address_of_another_machine_is_said_to_be_the_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    result = run(tmp_path, monkeypatch, command, "--host", NOT_OURS)
    refused_for_its_host(result, NOT_OURS, "not an address of this machine", tmp_path)


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_what_cannot_be_a_host_name_is_refused_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    result = run(tmp_path, monkeypatch, command, "--host", "cafe..azul")
    refused_for_its_host(result, "cafe..azul", "not a host name", tmp_path)
