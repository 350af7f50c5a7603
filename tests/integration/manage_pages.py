"""Shared by the back office's management page tests: a signed-in browser of a
merchant with a chosen access level."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from tests.conftest import Merchant
from tests.integration.test_pages_staff import PASSWORD, Staff


@pytest.fixture
def signed_in(runtime: Runtime, app: Any) -> Iterator[Callable[..., Staff]]:
    opened: list[TestClient] = []

    def sign_in(who: Merchant, access: str = "owner") -> Staff:
        email = f"{access}.{secrets.token_hex(4)}@lume.example"
        with runtime.uow(who.id) as uow:
            staff.create_staff(
                uow, email=email, password=PASSWORD, name=f"Rita {access}", access=access
            )
            uow.commit()
        address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
        client = TestClient(
            app, base_url="https://testserver", raise_server_exceptions=False, client=(address, 5)
        )
        opened.append(client)
        person = Staff(client, who, email)
        assert person.sign_in().status_code == 200
        assert person.csrf
        return person

    yield sign_in
    for client in opened:
        client.close()
