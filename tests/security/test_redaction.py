"""Secrets never reach a log line."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from psahub.log import configure_logging, get_logger
from psahub.security.redaction import REDACTED, redact, redact_text, redact_url


def test_sensitive_keys_are_masked_recursively() -> None:
    event = {
        "client_id": "abc",
        "Client-Secret": "s3cret",
        "nested": {"access_token": "tok", "items": [{"password": "pw"}]},
    }
    assert redact(event) == {
        "client_id": "abc",
        "Client-Secret": REDACTED,
        "nested": {"access_token": REDACTED, "items": [{"password": REDACTED}]},
    }


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer eyJhbGciOi.abc.def", "eyJhbGciOi.abc.def"),
        ("grant_type=client_credentials&client_secret=xyz-123&scope=all", "xyz-123"),
        ("basic dXNlcjpwYXNz failed", "dXNlcjpwYXNz"),
    ],
)
def test_secrets_inside_text_are_masked(text: str, secret: str) -> None:
    masked = redact_text(text)
    assert secret not in masked and REDACTED in masked


def test_urls_lose_secret_parameters_and_passwords() -> None:
    url = redact_url("https://user:pw@halo.example/auth/token?tenant=acme&client_secret=zzz")
    assert "zzz" not in url and "pw" not in url
    assert "tenant=acme" in url


def test_log_lines_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "json")
    try:
        get_logger("test").info("token fetched", client_secret="hunter2", body="Bearer abc.def")
        logging.getLogger("stdlib").warning("sent client_secret=hunter3")
        err = capsys.readouterr().err
        assert "hunter2" not in err and "hunter3" not in err and "abc.def" not in err
        first = json.loads(err.splitlines()[0])
        assert first["client_secret"] == REDACTED
        assert first["event"] == "token fetched"
    finally:
        structlog.reset_defaults()
