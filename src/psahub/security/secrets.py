"""Secrets at rest: a rotatable Fernet key ring, each ciphertext bound to the row it belongs to.

The plaintext is sealed together with a context (account, integration, field); a ciphertext
copied onto another row does not decrypt there. Each ciphertext is stored with the id of the
key that sealed it, so a rotation can tell when no row needs an old key any more.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretError(Exception):
    """A secret could not be sealed or opened; the message says what to do."""


def key_id(key: str | bytes) -> str:
    """A short, stable identifier of a Fernet key (never the key itself)."""
    raw = key.encode() if isinstance(key, str) else key
    return hashlib.sha256(raw).hexdigest()[:12]


def generate_key() -> str:
    """A new random Fernet key."""
    return Fernet.generate_key().decode()


class KeyRing:
    """Fernet keys, newest first: the newest seals, every one of them opens."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise SecretError(
                "No secret key is configured. Set PSAHUB_SECRET_KEYS to one or more keys "
                "(generate one with `psahub keys generate`)."
            )
        fernets = []
        for index, key in enumerate(keys):
            try:
                fernets.append(Fernet(key.encode()))
            except ValueError:
                raise SecretError(
                    f"Key number {index + 1} in PSAHUB_SECRET_KEYS is not a valid Fernet key "
                    "(32 url-safe base64-encoded bytes); generate one with `psahub keys generate`."
                ) from None
        self._keys = list(keys)
        self._multi = MultiFernet(fernets)

    @property
    def current_id(self) -> str:
        """The id of the key new ciphertexts are sealed with."""
        return key_id(self._keys[0])

    @property
    def ids(self) -> list[str]:
        """The ids of every key, newest first."""
        return [key_id(k) for k in self._keys]

    def seal(self, value: str, context: Mapping[str, object]) -> str:
        """Encrypt ``value`` bound to ``context``."""
        envelope = orjson.dumps({"ctx": dict(context), "value": value}, option=orjson.OPT_SORT_KEYS)
        return self._multi.encrypt(envelope).decode()

    def open(self, token: str, context: Mapping[str, object]) -> str:
        """Decrypt a ciphertext sealed for exactly this ``context``.

        Raises:
            SecretError: when no key opens it or it belongs to another row.
        """
        try:
            envelope = orjson.loads(self._multi.decrypt(token.encode()))
        except (InvalidToken, orjson.JSONDecodeError):
            raise SecretError(
                "A stored secret cannot be decrypted with the configured keys. If the keys were "
                "changed, put the old key back at the end of PSAHUB_SECRET_KEYS, run "
                "`psahub keys rotate`, then remove it."
            ) from None
        if envelope.get("ctx") != orjson.loads(orjson.dumps(dict(context))):
            raise SecretError(
                "A stored secret belongs to another record and was refused. Connect the "
                "integration again to store its secret afresh."
            )
        return str(envelope["value"])

    def rotate(self, token: str) -> str:
        """Re-seal a ciphertext with the newest key (its context is kept)."""
        try:
            return self._multi.rotate(token.encode()).decode()
        except InvalidToken:
            raise SecretError(
                "A stored secret cannot be decrypted with the configured keys."
            ) from None


def embedded_key_file(data_dir: Path) -> Path:
    """Where the embedded mode keeps its generated key."""
    return data_dir / "secret.key"


def file_secret(path: Path) -> str:
    """A secret kept in a file, generated (mode 0600) the first time it is asked for."""
    if not path.exists():
        _publish_new_key(path)
    return path.read_text().strip().splitlines()[0]


def _publish_new_key(path: Path) -> None:
    """Write a new key beside ``path`` and link it into place, so no reader sees it half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(generate_key() + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process published its key first; everyone uses that one
    finally:
        draft.unlink()


def load_key_ring(configured: Sequence[str], data_dir: Path, embedded: bool) -> KeyRing:
    """The key ring from settings, or, in embedded mode only, a key generated once on disk.

    Raises:
        SecretError: in distributed mode without configured keys.
    """
    if configured:
        return KeyRing(configured)
    if not embedded:
        raise SecretError(
            "PSAHUB_SECRET_KEYS must be set in distributed mode, the same on every worker "
            "(generate one with `psahub keys generate`)."
        )
    path = embedded_key_file(data_dir)
    if not path.exists():
        _publish_new_key(path)
    keys = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    return KeyRing(keys)
