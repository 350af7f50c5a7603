"""Secrets kept at rest sealed (authenticated encryption, Fernet), with a key
derived from the server's ``SERVEFIRST_SECRET_KEY``: a copy of the database
alone does not give away a merchant's processor keys."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from servefirst.kit.errors import ServefirstError


class SecretKeyMissing(ServefirstError):
    status = 500
    type = "api_error"

    def __init__(self) -> None:
        super().__init__(
            "SERVEFIRST_SECRET_KEY is not set: processor keys cannot be sealed or read.",
            code="secret_key_missing",
        )


class Sealer:
    """Seals and opens short secrets with a key derived from ``secret``."""

    def __init__(self, secret: str | None) -> None:
        self._fernet: Fernet | None = None
        if secret:
            # Fernet wants 32 url-safe base64 bytes; any passphrase is hashed to that.
            digest = hashlib.sha256(b"servefirst-sealed\0" + secret.encode()).digest()
            self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    @property
    def ready(self) -> bool:
        return self._fernet is not None

    def seal(self, plain: str) -> str:
        return self._key().encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._key().decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError(
                "a sealed secret does not open with this SERVEFIRST_SECRET_KEY"
            ) from exc

    def _key(self) -> Fernet:
        if self._fernet is None:
            raise SecretKeyMissing()
        return self._fernet
