"""The outbound URL guard: public https by default, everything else only when allowed."""

from __future__ import annotations

import pytest

from psahub.security.url_guard import BlockedURL, OutboundPolicy, check_url

DEFAULT = OutboundPolicy()
EVERYTHING = OutboundPolicy(allow_http=True, allow_loopback=True, allow_private=True)

PUBLIC_HTTPS = [
    "https://93.184.216.34/",
    "https://93.184.216.34/api/Tickets?count=1",
    "https://93.184.216.34:8443/api",
    "https://[2606:2800:220:1:248:1893:25c8:1946]/api",
]


@pytest.mark.parametrize("url", PUBLIC_HTTPS)
def test_public_https_is_allowed(url: str) -> None:
    check_url(url, DEFAULT)


@pytest.mark.parametrize(
    "url", ["http://93.184.216.34/", "http://93.184.216.34:8080/api", "HTTP://93.184.216.34/"]
)
def test_plain_http_needs_allow_http(url: str) -> None:
    with pytest.raises(BlockedURL) as caught:
        check_url(url, DEFAULT)
    assert "https://" in str(caught.value)
    assert "PSAHUB_ALLOW_HTTP=true" in str(caught.value)
    check_url(url, OutboundPolicy(allow_http=True))


@pytest.mark.parametrize(
    "url", ["ftp://93.184.216.34/", "file:///etc/passwd", "gopher://93.184.216.34/", "//x.com"]
)
def test_other_schemes_are_refused_even_with_everything_allowed(url: str) -> None:
    with pytest.raises(BlockedURL, match="only connects to HaloPSA over https://"):
        check_url(url, EVERYTHING)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/",
        "https://127.8.9.10:8081/api",
        "https://[::1]:8081/api",
        "https://localhost/api",
        "https://LOCALHOST:8081/api",
        "https://0.0.0.0/",
        "https://[::ffff:127.0.0.1]/",
    ],
)
def test_loopback_needs_allow_loopback(url: str) -> None:
    with pytest.raises(BlockedURL) as caught:
        check_url(url, OutboundPolicy(allow_private=True))
    assert "resolves to this machine" in str(caught.value)
    assert "PSAHUB_ALLOW_LOOPBACK=true" in str(caught.value)
    check_url(url, OutboundPolicy(allow_loopback=True))


def test_the_sandbox_policy_allows_http_on_loopback() -> None:
    check_url(
        "http://127.0.0.1:8081/demo/api", OutboundPolicy(allow_http=True, allow_loopback=True)
    )


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://10.0.0.5/api", "10.0.0.5"),
        ("https://10.255.255.254/", "10.255.255.254"),
        ("https://172.16.0.1/api", "172.16.0.1"),
        ("https://172.31.255.1/", "172.31.255.1"),
        ("https://192.168.1.10:8443/api", "192.168.1.10"),
        ("https://[fd00::1]/api", "fd00::1"),
        ("https://[fc00::abcd]/", "fc00::abcd"),
        ("https://[::ffff:192.168.0.1]/", "192.168.0.1"),
        ("https://240.0.0.1/", "240.0.0.1"),
        ("https://224.0.0.251/", "224.0.0.251"),
    ],
)
def test_private_networks_need_allow_private(url: str, address: str) -> None:
    with pytest.raises(BlockedURL) as caught:
        check_url(url, OutboundPolicy(allow_loopback=True))
    message = str(caught.value)
    assert f"private address {address}" in message
    assert "PSAHUB_ALLOW_PRIVATE_NETWORKS=true" in message
    check_url(url, OutboundPolicy(allow_private=True))


@pytest.mark.parametrize(
    "url",
    [
        "https://172.15.255.255/",
        "https://172.32.0.1/",
        "https://192.169.0.1/",
        "https://11.0.0.1/",
    ],
)
def test_addresses_next_to_private_ranges_are_public(url: str) -> None:
    check_url(url, DEFAULT)


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "http://169.254.169.254/computeMetadata/v1/",
        "https://169.254.10.20/",
        "https://[fe80::1]/",
        "https://[fd00:ec2::254]/",
        "https://[::ffff:169.254.169.254]/",
    ],
)
def test_link_local_and_metadata_addresses_are_always_refused(url: str) -> None:
    with pytest.raises(BlockedURL, match="never calls it") as caught:
        check_url(url, EVERYTHING)
    assert "link-local" in str(caught.value)


@pytest.mark.parametrize(
    "host", ["metadata.google.internal", "METADATA.google.internal", "metadata", "instance-data"]
)
def test_metadata_host_names_are_always_refused(host: str) -> None:
    with pytest.raises(BlockedURL, match="cloud metadata address; psahub never calls it"):
        check_url(f"https://{host}/computeMetadata/v1/", EVERYTHING)


@pytest.mark.parametrize(
    "url", ["https://100.100.100.200/latest/meta-data/", "https://100.64.0.1/"]
)
def test_shared_address_space_is_not_public(url: str) -> None:
    with pytest.raises(BlockedURL):
        check_url(url, DEFAULT)


def test_an_unknown_host_is_reported_as_not_found() -> None:
    with pytest.raises(BlockedURL) as caught:
        check_url("https://no-such-host.invalid/api", EVERYTHING)
    message = str(caught.value)
    assert "'no-such-host.invalid' could not be found" in message
    assert "Api Domain Url" in message
