"""Secrets at rest: sealed to their row, rotatable, and never stored in the clear."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from psahub.security.secrets import (
    KeyRing,
    SecretError,
    embedded_key_file,
    generate_key,
    key_id,
    load_key_ring,
)

SECRET = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d-9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f"
CONTEXT: dict[str, object] = {"account": 7, "integration": 42, "field": "client_secret"}


def test_seal_and_open_round_trip() -> None:
    ring = KeyRing([generate_key()])
    token = ring.seal(SECRET, CONTEXT)
    assert ring.open(token, CONTEXT) == SECRET
    # The context's key order does not matter.
    assert ring.open(token, dict(reversed(list(CONTEXT.items())))) == SECRET


def test_unicode_and_empty_values_round_trip() -> None:
    ring = KeyRing([generate_key()])
    for value in ("", "pässwörd 🔑", "x" * 10_000):
        assert ring.open(ring.seal(value, CONTEXT), CONTEXT) == value


def test_ciphertext_does_not_contain_the_plaintext() -> None:
    ring = KeyRing([generate_key()])
    token = ring.seal(SECRET, CONTEXT)
    assert SECRET not in token
    assert "client_secret" not in token
    # Sealing twice gives different ciphertexts.
    assert ring.seal(SECRET, CONTEXT) != token


@pytest.mark.parametrize(
    "other",
    [
        {"account": 7, "integration": 43, "field": "client_secret"},
        {"account": 8, "integration": 42, "field": "client_secret"},
        {"account": 7, "integration": 42, "field": "client_id"},
        {"account": "7", "integration": 42, "field": "client_secret"},
        {"account": 7, "integration": 42},
        {"account": 7, "integration": 42, "field": "client_secret", "extra": 1},
    ],
    ids=["integration", "account", "field", "type-of-id", "missing-key", "extra-key"],
)
def test_a_ciphertext_does_not_open_on_another_row(other: dict[str, object]) -> None:
    ring = KeyRing([generate_key()])
    token = ring.seal(SECRET, CONTEXT)
    with pytest.raises(SecretError, match="belongs to another record") as caught:
        ring.open(token, other)
    assert SECRET not in str(caught.value)


def test_rotation_moves_ciphertexts_to_the_new_key() -> None:
    old, new = generate_key(), generate_key()
    token = KeyRing([old]).seal(SECRET, CONTEXT)
    both = KeyRing([new, old])
    assert both.current_id == key_id(new)
    assert both.ids == [key_id(new), key_id(old)]
    # Both keys open it before rotation.
    assert both.open(token, CONTEXT) == SECRET
    rotated = both.rotate(token)
    assert rotated != token
    only_new = KeyRing([new])
    assert only_new.open(rotated, CONTEXT) == SECRET
    # The context is kept through rotation.
    with pytest.raises(SecretError, match="another record"):
        only_new.open(rotated, {**CONTEXT, "integration": 1})
    # The old key alone can no longer open the rotated ciphertext.
    with pytest.raises(SecretError):
        KeyRing([old]).open(rotated, CONTEXT)


def test_new_seals_use_the_first_key() -> None:
    old, new = generate_key(), generate_key()
    token = KeyRing([new, old]).seal(SECRET, CONTEXT)
    assert KeyRing([new]).open(token, CONTEXT) == SECRET
    with pytest.raises(SecretError):
        KeyRing([old]).open(token, CONTEXT)


def test_unrelated_keys_cannot_open_and_say_what_to_do() -> None:
    token = KeyRing([generate_key()]).seal(SECRET, CONTEXT)
    with pytest.raises(SecretError) as caught:
        KeyRing([generate_key(), generate_key()]).open(token, CONTEXT)
    message = str(caught.value)
    assert "PSAHUB_SECRET_KEYS" in message
    assert "psahub keys rotate" in message


@pytest.mark.parametrize("token", ["", "not-a-token", "gAAAAABgarbage"])
def test_garbage_ciphertext_is_a_secret_error(token: str) -> None:
    with pytest.raises(SecretError, match="cannot be decrypted"):
        KeyRing([generate_key()]).open(token, CONTEXT)


def test_rotate_with_unrelated_keys_is_a_secret_error() -> None:
    token = KeyRing([generate_key()]).seal(SECRET, CONTEXT)
    with pytest.raises(SecretError, match="cannot be decrypted"):
        KeyRing([generate_key()]).rotate(token)


@pytest.mark.parametrize(
    ("keys", "number"),
    [
        (["not-a-key"], 1),
        ([generate_key(), "c2hvcnQ="], 2),
        ([generate_key(), generate_key(), generate_key()[:-2]], 3),
    ],
)
def test_an_invalid_key_is_named_by_its_number(keys: list[str], number: int) -> None:
    with pytest.raises(SecretError) as caught:
        KeyRing(keys)
    message = str(caught.value)
    assert f"Key number {number} in PSAHUB_SECRET_KEYS" in message
    # The message never repeats the key itself.
    for key in keys:
        assert key not in message


def test_an_empty_key_list_is_refused() -> None:
    with pytest.raises(SecretError, match="PSAHUB_SECRET_KEYS"):
        KeyRing([])


def test_key_id_is_stable_and_does_not_reveal_the_key() -> None:
    key = generate_key()
    assert key_id(key) == key_id(key)
    assert key_id(key) == key_id(key.encode())
    assert key_id(key) != key_id(generate_key())
    assert key_id(key) not in key
    assert len(key_id(key)) == 12
    assert KeyRing([key]).current_id == key_id(key)


def test_load_key_ring_uses_configured_keys(tmp_path: Path) -> None:
    key = generate_key()
    for embedded in (True, False):
        ring = load_key_ring([key], tmp_path, embedded=embedded)
        assert ring.ids == [key_id(key)]
    assert not embedded_key_file(tmp_path).exists()


def test_embedded_mode_generates_one_key_file_and_reuses_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data" / "psahub"
    first = load_key_ring([], data_dir, embedded=True)
    path = embedded_key_file(data_dir)
    assert path == data_dir / "secret.key"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [key_id(line) for line in path.read_text().split()] == first.ids
    token = first.seal(SECRET, CONTEXT)

    second = load_key_ring([], data_dir, embedded=True)
    assert second.ids == first.ids
    assert second.open(token, CONTEXT) == SECRET


def test_distributed_mode_without_keys_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="PSAHUB_SECRET_KEYS must be set in distributed mode"):
        load_key_ring([], tmp_path, embedded=False)
    assert not embedded_key_file(tmp_path).exists()
