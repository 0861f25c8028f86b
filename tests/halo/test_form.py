"""The Connect form's five fields: every bad input gets its own message, good ones normalise."""

from __future__ import annotations

import pytest

from psahub.halo import guide
from psahub.halo.form import (
    FIELDS,
    LABELS,
    ConnectionSettings,
    FormError,
    ServerType,
    normalise_api_url,
    validate_form,
)

CLIENT_ID = "3f2b8c1e-7a4d-4e9b-9c2a-1d5e6f7a8b9c"
OTHER_GUID = "0d9c8b7a-6f5e-4d3c-b2a1-908f7e6d5c4b"
SECRET = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d-9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f"
API_URL = "https://acme.halopsa.com/api"
TENANT = "acme"

GOOD = {
    "server_type": "Cloud",
    "client_id": CLIENT_ID,
    "client_secret": SECRET,
    "api_url": API_URL,
    "tenant": TENANT,
}


def submit(**fields: str) -> ConnectionSettings:
    values = {**GOOD, **fields}
    return validate_form(*(values[name] for name in FIELDS))


BAD_INPUTS: list[tuple[str, dict[str, str], dict[str, str]]] = [
    # Server Type
    ("server-type-empty", {"server_type": ""}, {"server_type": "Choose Hosted"}),
    ("server-type-blank", {"server_type": "   "}, {"server_type": "Choose Hosted"}),
    (
        "server-type-unknown",
        {"server_type": "Azure"},
        {"server_type": "'Azure' is not a Server Type: choose Hosted or Cloud"},
    ),
    (
        "server-type-partial-word",
        {"server_type": " premise "},
        {"server_type": "'premise' is not a Server Type"},
    ),
    # Client Id
    ("client-id-empty", {"client_id": ""}, {"client_id": "Enter the Client Id"}),
    ("client-id-blank", {"client_id": " \t "}, {"client_id": "Enter the Client Id"}),
    ("client-id-too-short", {"client_id": "3f2b8c"}, {"client_id": "too short to be a Client Id"}),
    (
        "client-id-inner-space",
        {"client_id": "3f2b8c1e 7a4d-4e9b-9c2a-1d5e6f7a8b9c"},
        {"client_id": "The Client Id has spaces inside"},
    ),
    (
        "client-id-is-url",
        {"client_id": "https://acme.halopsa.com"},
        {"client_id": "This is a URL: put it in Api Domain Url"},
    ),
    (
        "client-id-is-www-host",
        {"client_id": "www.acme.halopsa.com"},
        {"client_id": "This is a URL: put it in Api Domain Url"},
    ),
    (
        "client-id-is-the-secret",
        {"client_id": SECRET, "client_secret": SECRET},
        {
            "client_id": "looks like the Client Secret",
            "client_secret": "same as the Client Id",
        },
    ),
    # Client Secret
    ("secret-empty", {"client_secret": ""}, {"client_secret": "Enter the Client Secret"}),
    (
        "secret-same-as-id",
        {"client_secret": f"  {CLIENT_ID} "},
        {"client_secret": "The Client Secret is the same as the Client Id"},
    ),
    (
        "secret-is-one-guid",
        {"client_secret": OTHER_GUID},
        {"client_secret": "looks like a Client Id (one ID)"},
    ),
    (
        "secret-is-url",
        {"client_secret": API_URL},
        {"client_secret": "This is a URL: put it in Api Domain Url, and paste the Client Secret"},
    ),
    (
        "secret-inner-space",
        {"client_secret": SECRET[:36] + " " + SECRET[37:]},
        {"client_secret": "The Client Secret has spaces inside"},
    ),
    # Api Domain Url
    ("api-url-empty", {"api_url": ""}, {"api_url": "Enter the Api Domain Url"}),
    ("api-url-only-quotes", {"api_url": ' "" '}, {"api_url": "Enter the Api Domain Url"}),
    (
        "api-url-is-client-id",
        {"api_url": CLIENT_ID},
        {"api_url": "looks like a Client ID or Secret, not a URL"},
    ),
    (
        "api-url-is-secret",
        {"api_url": SECRET},
        {"api_url": "looks like a Client ID or Secret, not a URL"},
    ),
    (
        "api-url-inner-space",
        {"api_url": "https://acme.halo psa.com/api"},
        {"api_url": "A URL cannot contain spaces"},
    ),
    (
        "api-url-ftp",
        {"api_url": "ftp://acme.halopsa.com/api"},
        {"api_url": "must start with https:// (not ftp://)"},
    ),
    (
        "api-url-single-label",
        {"api_url": "acme"},
        {"api_url": "'acme' is not a full host name; did you mean https://acme.halopsa.com/api?"},
    ),
    (
        "api-url-single-label-with-scheme",
        {"api_url": "https://acme/api"},
        {"api_url": "'acme' is not a full host name"},
    ),
    (
        "api-url-bad-port",
        {"api_url": "https://acme.halopsa.com:84a3/api"},
        {"api_url": "port must be a number from 1 to 65535"},
    ),
    ("api-url-no-host", {"api_url": "https:///api"}, {"api_url": "The URL has no host name"}),
    ("api-url-scheme-only", {"api_url": "https://"}, {"api_url": "The URL has no host name"}),
    # Tenant Id
    (
        "tenant-is-url",
        {"tenant": "https://acme.halopsa.com"},
        {"tenant": "short name, not a URL"},
    ),
    ("tenant-with-slash", {"tenant": "acme/halo"}, {"tenant": "short name, not a URL"}),
    ("tenant-is-secret", {"tenant": SECRET}, {"tenant": "This looks like the Client Secret"}),
    ("tenant-inner-space", {"tenant": "acme corp"}, {"tenant": "Tenant Id has spaces inside"}),
    # Several at once: every wrong field is reported together.
    (
        "id-and-secret-swapped",
        {"client_id": SECRET, "client_secret": CLIENT_ID},
        {
            "client_id": "looks like the Client Secret",
            "client_secret": "looks like a Client Id (one ID)",
        },
    ),
    (
        "url-and-tenant-swapped",
        {"api_url": "acme", "tenant": API_URL},
        {"api_url": "not a full host name", "tenant": "short name, not a URL"},
    ),
    (
        "all-five-wrong",
        {
            "server_type": "",
            "client_id": "",
            "client_secret": "",
            "api_url": "ftp://acme.halopsa.com",
            "tenant": "acme corp",
        },
        {
            "server_type": "Choose Hosted",
            "client_id": "Enter the Client Id",
            "client_secret": "Enter the Client Secret",
            "api_url": "(not ftp://)",
            "tenant": "spaces inside",
        },
    ),
]


def test_the_bad_input_table_is_at_least_thirty_cases() -> None:
    assert len(BAD_INPUTS) >= 30
    assert len({case_id for case_id, _, _ in BAD_INPUTS}) == len(BAD_INPUTS)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [pytest.param(fields, expected, id=case_id) for case_id, fields, expected in BAD_INPUTS],
)
def test_each_bad_input_gets_its_own_message(
    fields: dict[str, str], expected: dict[str, str]
) -> None:
    with pytest.raises(FormError) as caught:
        submit(**fields)
    error = caught.value
    assert set(error.errors) == set(expected)
    for field, fragment in expected.items():
        assert fragment in error.errors[field]
        assert f"{LABELS[field]}: {error.errors[field]}" in str(error)
    assert "Traceback" not in str(error)
    assert 'File "' not in str(error)


@pytest.mark.parametrize(
    "api_url",
    ["", CLIENT_ID, "https://a b.com", "ftp://acme.halopsa.com", "acme", "https:///api"],
)
def test_every_api_url_message_points_at_the_guide(api_url: str) -> None:
    with pytest.raises(FormError) as caught:
        submit(api_url=api_url)
    assert caught.value.errors["api_url"].endswith(guide.FIX_API_URL)


@pytest.mark.parametrize(
    "tenant", ["https://acme.halopsa.com", "acme/halo", SECRET], ids=["url", "slash", "secret"]
)
def test_tenant_messages_say_where_to_copy_it_from(tenant: str) -> None:
    with pytest.raises(FormError) as caught:
        submit(tenant=tenant)
    assert (
        "Configuration > Integrations > HaloPSA API (API Details)" in caught.value.errors["tenant"]
    )
    assert "does not match" not in caught.value.errors["tenant"]


@pytest.mark.parametrize(
    ("pasted", "base_url"),
    [
        ("https://acme.halopsa.com/api", "https://acme.halopsa.com"),
        ("https://acme.halopsa.com", "https://acme.halopsa.com"),
        ("acme.halopsa.com/api", "https://acme.halopsa.com"),
        ("acme.halopsa.com", "https://acme.halopsa.com"),
        ("//acme.halopsa.com/api", "https://acme.halopsa.com"),
        ("https://acme.halopsa.com/", "https://acme.halopsa.com"),
        ("https://acme.halopsa.com/api/", "https://acme.halopsa.com"),
        ("   https://acme.halopsa.com/api \n", "https://acme.halopsa.com"),
        ('"https://acme.halopsa.com/api"', "https://acme.halopsa.com"),
        ("'acme.halopsa.com/api'", "https://acme.halopsa.com"),
        ("<https://acme.halopsa.com/api>", "https://acme.halopsa.com"),
        ("HTTPS://ACME.HaloPSA.com/API", "https://acme.halopsa.com"),
        ("https://acme.halopsa.com/api/Tickets?x=1", "https://acme.halopsa.com"),
        ("https://acme.halopsa.com/auth", "https://acme.halopsa.com"),
        ("https://acme.halopsa.com/auth/token?tenant=acme", "https://acme.halopsa.com"),
        ("https://acme.halopsa.com/main/tickets#123", "https://acme.halopsa.com"),
        ("https://acme.halopsa.com/portal/home", "https://acme.halopsa.com"),
        ("https://acme.halopsa.com/apidoc/info", "https://acme.halopsa.com"),
        ("http://127.0.0.1:8081/demo/api", "http://127.0.0.1:8081/demo"),
        ("http://127.0.0.1:8081/demo/api/Tickets/12", "http://127.0.0.1:8081/demo"),
        ("http://127.0.0.1:8081/demo/", "http://127.0.0.1:8081/demo"),
        ("http://[::1]:8081/api", "http://[::1]:8081"),
        ("http://localhost:8081/api", "http://localhost:8081"),
        ("halo.example.co.uk:8443/HaloPSA/api", "https://halo.example.co.uk:8443/HaloPSA"),
        ("https://acme.halopsa.com:443/api", "https://acme.halopsa.com:443"),
    ],
)
def test_api_domain_url_is_normalised(pasted: str, base_url: str) -> None:
    settings = submit(api_url=pasted)
    assert settings.base_url == base_url
    assert settings.api_url == base_url + "/api"
    assert normalise_api_url(pasted) == base_url


def test_scheme_less_app_page_with_a_url_in_its_query() -> None:
    pasted = "acme.halopsa.com/auth/authorize?redirect_uri=https://app.example.com/cb"
    assert normalise_api_url(pasted) == "https://acme.halopsa.com"


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("Hosted", ServerType.HOSTED),
        ("hosted", ServerType.HOSTED),
        ("On-Premise", ServerType.HOSTED),
        ("on premise", ServerType.HOSTED),
        ("On-Premises", ServerType.HOSTED),
        ("self hosted", ServerType.HOSTED),
        ("Self-Hosted", ServerType.HOSTED),
        ("self_hosted", ServerType.HOSTED),
        ("onprem", ServerType.HOSTED),
        ("Cloud", ServerType.CLOUD),
        ("cloud", ServerType.CLOUD),
        ("  CLOUD ", ServerType.CLOUD),
        ("Halo  Cloud", ServerType.CLOUD),
        ("SaaS", ServerType.CLOUD),
        ("Hosted by Halo", ServerType.CLOUD),
    ],
)
def test_server_type_synonyms(typed: str, kind: ServerType) -> None:
    assert submit(server_type=typed).server_type is kind


def test_server_type_labels() -> None:
    assert ServerType.CLOUD.label == "Cloud"
    assert ServerType.HOSTED.label == "Hosted"


def test_id_secret_and_tenant_are_trimmed() -> None:
    settings = submit(
        client_id=f"  {CLIENT_ID}\t", client_secret=f"\n{SECRET}  ", tenant="  acme  "
    )
    assert settings == ConnectionSettings(
        ServerType.CLOUD, CLIENT_ID, SECRET, "https://acme.halopsa.com", "acme"
    )


def test_hosted_halo_without_a_tenant_is_accepted() -> None:
    settings = submit(server_type="Hosted", api_url="https://halo.example.com/api", tenant=" ")
    assert settings.server_type is ServerType.HOSTED
    assert settings.tenant == ""
    assert settings.api_url == "https://halo.example.com/api"
