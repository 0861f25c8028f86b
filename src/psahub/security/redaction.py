"""Redaction of secrets before anything is logged or displayed."""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "[redacted]"

#: Key names whose values are secrets wherever they appear (compared case-insensitively,
#: ignoring ``-`` and ``_``).
SENSITIVE_KEYS = frozenset(
    {
        "authorization",
        "clientsecret",
        "secret",
        "password",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "token",
        "apikey",
        "secretkeys",
        "cookie",
        "setcookie",
    }
)

_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_FORM_SECRET = re.compile(r"(?i)\b(client_secret|access_token|password|id_token)=[^&\s]+")


def _normalise(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "")


def is_sensitive_key(key: str) -> bool:
    """Tell whether a mapping key names a secret."""
    return _normalise(key) in SENSITIVE_KEYS


def redact_text(text: str) -> str:
    """Mask bearer/basic credentials and secret form or query fields inside free text."""
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _FORM_SECRET.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


def redact_url(url: str) -> str:
    """Return ``url`` with secret query parameters and any user:password masked."""
    parts = urlsplit(url)
    query = urlencode(
        [(k, REDACTED if is_sensitive_key(k) else v) for k, v in parse_qsl(parts.query, True)]
    )
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact(value: Any) -> Any:
    """Return a copy of ``value`` with every secret replaced by ``[redacted]``.

    Mappings are walked recursively; values under sensitive keys are masked whatever their type,
    and strings anywhere are scanned for bearer tokens and secret form fields.
    """
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if isinstance(k, str) and is_sensitive_key(k) else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(redact(v) for v in value)
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_event(
    _logger: object, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor that masks secrets in every field of a log event."""
    for key in list(event_dict):
        event_dict[key] = REDACTED if is_sensitive_key(key) else redact(event_dict[key])
    return event_dict
