"""The Connect form's five fields, read the way people actually fill them in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit

from psahub.halo import guide

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
GUID = re.compile(rf"^{_GUID}$")
SECRET_SHAPE = re.compile(rf"^{_GUID}-{_GUID}$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
#: Path segments that end the instance's base URL: people paste API, auth or app pages.
_STOP_SEGMENTS = frozenset({"api", "auth", "portal", "login", "agent", "main", "apidoc"})

FIELDS = ("server_type", "client_id", "client_secret", "api_url", "tenant")
LABELS = {
    "server_type": "Server Type",
    "client_id": "Client Id",
    "client_secret": "Client Secret",
    "api_url": "Api Domain Url",
    "tenant": "Tenant Id",
}


class ServerType(StrEnum):
    """Where the HaloPSA runs: Halo's cloud (with a tenant) or the MSP's own server."""

    CLOUD = "cloud"
    HOSTED = "hosted"

    @property
    def label(self) -> str:
        """The Connect form's word for it."""
        return "Cloud" if self is ServerType.CLOUD else "Hosted"


_SERVER_TYPES = {
    "cloud": ServerType.CLOUD,
    "halo cloud": ServerType.CLOUD,
    "halo hosted": ServerType.CLOUD,
    "hosted by halo": ServerType.CLOUD,
    "hosted solution of halo": ServerType.CLOUD,
    "saas": ServerType.CLOUD,
    "hosted": ServerType.HOSTED,
    "self-hosted": ServerType.HOSTED,
    "self hosted": ServerType.HOSTED,
    "on-premise": ServerType.HOSTED,
    "on premise": ServerType.HOSTED,
    "on-premises": ServerType.HOSTED,
    "onprem": ServerType.HOSTED,
}


class FormError(ValueError):
    """One or more fields are wrong; ``errors`` maps each field to what to do about it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{LABELS[k]}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ConnectionSettings:
    """The five fields, checked and normalised."""

    server_type: ServerType
    client_id: str
    client_secret: str
    base_url: str
    tenant: str

    @property
    def api_url(self) -> str:
        """The Resource Server: every endpoint is ``{api_url}/{Resource}``."""
        return f"{self.base_url}/api"


def normalise_api_url(raw: str) -> str:
    """Turn whatever was pasted into the instance's base URL (without ``/api``).

    Accepts the Resource Server, the instance URL from step 1, with or without a scheme,
    ``/api``, a trailing slash, spaces, or a deeper page of the app.

    Raises:
        ValueError: with what to do when it cannot be an instance URL.
    """
    text = raw.strip().strip("\"'<>").strip()
    if not text:
        raise ValueError(f"Enter the Api Domain Url. {guide.FIX_API_URL}")
    if GUID.match(text) or SECRET_SHAPE.match(text):
        raise ValueError("This looks like a Client ID or Secret, not a URL. " + guide.FIX_API_URL)
    if any(ch.isspace() for ch in text):
        raise ValueError("A URL cannot contain spaces. " + guide.FIX_API_URL)
    if not _SCHEME.match(text):
        text = "https://" + text.lstrip("/")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(
            f"The URL must start with https:// (not {parts.scheme}://). {guide.FIX_API_URL}"
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError("The URL has no host name. " + guide.FIX_API_URL)
    if "." not in host and host != "localhost" and ":" not in host:
        raise ValueError(
            f"'{host}' is not a full host name; did you mean https://{host}.halopsa.com/api? "
            + guide.FIX_API_URL
        )
    try:
        port = parts.port
    except ValueError:
        raise ValueError(
            "The URL's port must be a number from 1 to 65535. " + guide.FIX_API_URL
        ) from None
    segments = [s for s in parts.path.split("/") if s]
    for index, segment in enumerate(segments):
        if segment.lower() in _STOP_SEGMENTS:
            segments = segments[:index]
            break
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = "/" + "/".join(segments) if segments else ""
    return urlunsplit((parts.scheme.lower(), netloc, path, "", "")).rstrip("/")


def _check_client_id(value: str) -> str | None:
    if not value:
        return "Enter the Client Id from the application's Details tab (step 2 of the guide)."
    if SECRET_SHAPE.match(value):
        return (
            "This looks like the Client Secret (two IDs joined by '-'): paste the Client Id here "
            "and the secret in Client Secret."
        )
    if "://" in value or value.lower().startswith("www."):
        return "This is a URL: put it in Api Domain Url, and paste the Client Id here."
    if any(ch.isspace() for ch in value):
        return "The Client Id has spaces inside; copy it again from the application's Details tab."
    if len(value) < 8:
        return (
            "This is too short to be a Client Id; copy it again from the application's Details tab."
        )
    return None


def _check_secret(value: str, client_id: str) -> str | None:
    if not value:
        return "Enter the Client Secret you saved when you created the application (step 2)."
    if value == client_id:
        return "The Client Secret is the same as the Client Id: paste the secret here."
    if GUID.match(value):
        return (
            "This looks like a Client Id (one ID); a HaloPSA Client Secret is two IDs joined "
            "by '-'. Paste the secret here."
        )
    if "://" in value:
        return "This is a URL: put it in Api Domain Url, and paste the Client Secret here."
    if any(ch.isspace() for ch in value):
        return "The Client Secret has spaces inside; copy it again."
    return None


def _check_tenant(value: str) -> str | None:
    if "://" in value or "/" in value:
        return "The Tenant Id is a short name, not a URL. " + guide.FIX_TENANT.split(". ", 1)[1]
    if SECRET_SHAPE.match(value):
        return "This looks like the Client Secret. " + guide.FIX_TENANT.split(". ", 1)[1]
    if any(ch.isspace() for ch in value):
        return "The Tenant Id has spaces inside; copy it again from API Details."
    return None


def parse_server_type(value: str) -> ServerType:
    """Read the Server Type field ("Hosted" or "Cloud", and common synonyms).

    Raises:
        ValueError: when it is empty or not one of them.
    """
    key = " ".join(value.strip().lower().replace("_", " ").split())
    if key in _SERVER_TYPES:
        return _SERVER_TYPES[key]
    if not key:
        raise ValueError("Choose Hosted (your own server) or Cloud (hosted by Halo).")
    raise ValueError(f"'{value.strip()}' is not a Server Type: choose Hosted or Cloud.")


def validate_form(
    server_type: str, client_id: str, client_secret: str, api_url: str, tenant: str
) -> ConnectionSettings:
    """Check and normalise the five fields before any request is made.

    Raises:
        FormError: listing every field that is wrong and what to do about it.
    """
    errors: dict[str, str] = {}
    kind = ServerType.CLOUD
    try:
        kind = parse_server_type(server_type)
    except ValueError as error:
        errors["server_type"] = str(error)
    cid, secret, tenant_value = client_id.strip(), client_secret.strip(), tenant.strip()
    base = ""
    try:
        base = normalise_api_url(api_url)
    except ValueError as error:
        errors["api_url"] = str(error)
    for field, problem in (
        ("client_id", _check_client_id(cid)),
        ("client_secret", _check_secret(secret, cid)),
        ("tenant", _check_tenant(tenant_value)),
    ):
        if problem:
            errors[field] = problem
    if errors:
        raise FormError(errors)
    return ConnectionSettings(kind, cid, secret, base, tenant_value)
